#include "ndbucket/core/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ndbucket/core/error.hpp"

namespace ndbucket {

MappedFile::MappedFile(const std::filesystem::path& path) {
  auto fail = [&](int err, const char* action) {
    throw Error(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
                std::string(action) + " '" + path.string() + "': " + std::strerror(err));
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(errno, "cannot open");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(ErrorCode::InvalidArgument, "'" + path.string() + "' is not a regular file");
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {
    void* data = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    int err = errno;
    ::close(fd);
    if (data == MAP_FAILED) fail(err, "cannot map");
    data_ = data;
  } else {
    ::close(fd);
  }
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace ndbucket
