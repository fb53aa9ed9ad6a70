#include "cli/common.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>

#include "ndbucket/core/error.hpp"

namespace ndbucket::cli {

std::string iso_time(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::json info_json(const ObjectInfo& info, bool with_metadata) {
  nlohmann::json doc = {{"key", info.key},
                        {"size", info.size},
                        {"etag", info.etag},
                        {"last_modified", iso_time(info.last_modified)}};
  if (with_metadata) {
    doc["content_type"] = info.content_type;
    doc["metadata"] = info.metadata;
  }
  return doc;
}

[[noreturn]] void fail_local(int err, const std::string& action, const std::string& path) {
  throw Error(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
              action + " '" + path + "': " + std::strerror(err));
}

LocalInput::LocalInput(const std::string& path) {
  if (path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    buffer_ = to_bytes(data);
    bytes_ = buffer_;
    return;
  }
  file_.emplace(path);
  bytes_ = file_->bytes();
}

// Writes bytes to stdout, or to a local file through a temporary file and a rename, so an
// interrupted download never leaves a truncated file under the final name.
void write_local(const std::string& path, ByteSpan bytes) {
  if (path == "-") {
    std::cout.write(reinterpret_cast<const char*>(bytes.data()),
                    static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    if (!std::cout) throw Error(ErrorCode::Io, "cannot write to standard output");
    return;
  }
  std::string tmp = path + ".ndbucket-" + std::to_string(::getpid()) + ".part";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail_local(errno, "cannot create", tmp);
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_local(err, "cannot write", path);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail_local(err, "cannot write", path);
  }
}

// The store for reading: a missing local directory is an error, never created.

bool is_store_url(std::string_view argument) {
  std::size_t scheme_end = argument.find("://");
  return scheme_end != std::string_view::npos && !argument.starts_with("file://");
}

}  // namespace ndbucket::cli
