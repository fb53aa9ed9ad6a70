// Small POSIX helpers for FileStore: an owning descriptor, full reads and writes, and the mapping
// from errno to ErrorCode. Internal to the store layer.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string_view>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket::posix {

// Closes the descriptor when it goes out of scope.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// The ErrorCode an errno value stands for.
ErrorCode code_for_errno(int err);

// Throws the Error for `err`: "<action> <what>: <strerror>".
[[noreturn]] void throw_errno(int err, std::string_view action, std::string_view what);

// Writes every byte, retrying short writes and EINTR. Throws (naming `what`) on failure.
void write_all(int fd, ByteSpan bytes, std::string_view what);

// Reads exactly dest.size() bytes at `offset`; a file shorter than that is Corrupt (it changed
// under us). Throws (naming `what`) on failure.
void pread_all(int fd, std::uint64_t offset, MutableByteSpan dest, std::string_view what);

// Modification time in nanoseconds since the epoch.
std::int64_t mtime_ns(const struct stat& st);

}  // namespace ndbucket::posix
