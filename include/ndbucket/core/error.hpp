// Errors raised by every ndbucket layer.
//
// Every failure is an exception derived from ndbucket::Error carrying an ErrorCode, so callers can
// branch on the kind of failure without parsing messages. Messages name the key or URL involved
// and what was expected; they never contain credentials.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ndbucket {

// The kind of a failure. Stable: new codes are only ever appended.
enum class ErrorCode {
  NotFound,          // the key, bucket or file does not exist
  AlreadyExists,     // the target exists and overwriting was not asked for
  PermissionDenied,  // the store or the OS refused access
  InvalidArgument,   // the caller passed something unusable (bad key, bad range, bad option)
  Corrupt,           // stored bytes do not parse or fail an integrity check
  Unavailable,       // a transient failure that persisted after every retry
  Io,                // a local I/O failure (disk full, read error ...)
  Unsupported,       // valid, but this backend or this build cannot do it
};

// The name of a code as written in messages and the CLI's --json output ("NotFound" ...).
// Thread safety: pure function.
std::string_view error_code_name(ErrorCode code) noexcept;

// Writes error_code_name(code). Thread safety: as the stream.
std::ostream& operator<<(std::ostream& out, ErrorCode code);

// The base of every exception ndbucket throws. what() is "<CodeName>: <message>".
// Thread safety: immutable after construction.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);

  ErrorCode code() const noexcept { return code_; }
  // The message without the "<CodeName>: " prefix.
  const std::string& message() const noexcept { return message_; }

 private:
  ErrorCode code_;
  std::string message_;
};

}  // namespace ndbucket
