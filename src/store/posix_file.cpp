#include "posix_file.hpp"

#include <cerrno>
#include <cstring>
#include <string>

namespace ndbucket::posix {

ErrorCode code_for_errno(int err) {
  switch (err) {
    case ENOENT:
      return ErrorCode::NotFound;
    case EEXIST:
      return ErrorCode::AlreadyExists;
    case EACCES:
    case EPERM:
    case EROFS:
      return ErrorCode::PermissionDenied;
    case ENAMETOOLONG:
    case EINVAL:
      return ErrorCode::InvalidArgument;
    case ELOOP:
    case ENOTDIR:
    case EISDIR:
    case ENOTEMPTY:
      return ErrorCode::Unsupported;
    default:
      return ErrorCode::Io;
  }
}

void throw_errno(int err, std::string_view action, std::string_view what) {
  throw Error(code_for_errno(err),
              std::string(action) + " " + std::string(what) + ": " + std::strerror(err));
}

void write_all(int fd, ByteSpan bytes, std::string_view what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "could not write", what);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

void pread_all(int fd, std::uint64_t offset, MutableByteSpan dest, std::string_view what) {
  while (!dest.empty()) {
    ssize_t n = ::pread(fd, dest.data(), dest.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(errno, "could not read", what);
    }
    if (n == 0) {
      throw Error(ErrorCode::Corrupt, std::string(what) + " became shorter while being read");
    }
    dest = dest.subspan(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace ndbucket::posix
