#include "ndbucket/core/error.hpp"

#include <ostream>

namespace ndbucket {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::AlreadyExists:
      return "AlreadyExists";
    case ErrorCode::PermissionDenied:
      return "PermissionDenied";
    case ErrorCode::InvalidArgument:
      return "InvalidArgument";
    case ErrorCode::Corrupt:
      return "Corrupt";
    case ErrorCode::Unavailable:
      return "Unavailable";
    case ErrorCode::Io:
      return "Io";
    case ErrorCode::Unsupported:
      return "Unsupported";
  }
  return "Unknown";
}

std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << error_code_name(code); }

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(std::string(error_code_name(code)) + ": " + message),
      code_(code),
      message_(message) {}

}  // namespace ndbucket
