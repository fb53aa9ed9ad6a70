#include "ndbucket/transfer/ranged_download.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>
#include <string>

#include "transfer/reservation.hpp"
#include "transfer/worker_pool.hpp"

namespace ndbucket {
namespace {

using transfer_detail::ByteBudget;
using transfer_detail::ProgressReporter;
using transfer_detail::Reservation;

void check_download_options(const RangedDownloadOptions& options) {
  transfer_detail::check_options(options.transfer, "ranged download");
  if (options.part_size == 0) {
    throw Error(ErrorCode::InvalidArgument,
                "ranged download: RangedDownloadOptions::part_size must be at least 1 byte");
  }
}

Error replaced_error(const ObjectStore& store, std::string_view key, const std::string& pinned,
                     const std::string& seen) {
  return Error(ErrorCode::Corrupt, store.describe(key) + " changed during the download (ETag " +
                                       pinned + " at the start, " + (seen.empty() ? "gone" : seen) +
                                       " later); nothing mixed was returned, retry to read the "
                                       "new version");
}

// Fetches the parts after the first `done` bytes of an object of `size` bytes through
// fetch_part(offset, length), which returns the info of its response; every response must carry
// `pinned`'s ETag. Stops at the first failure and throws it.
void fetch_remaining_parts(
    ObjectStore& store, std::string_view key, const ObjectInfo& pinned, std::uint64_t done,
    const RangedDownloadOptions& options, ProgressReporter& progress,
    const std::function<ObjectInfo(std::uint64_t offset, std::uint64_t length)>& fetch_part) {
  const std::uint64_t size = pinned.size;
  if (done >= size) return;
  const std::uint64_t part = options.part_size;
  const std::uint64_t parts = (size - done + part - 1) / part;
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto fail = [&](Error error) {
    std::lock_guard lock(error_mutex);
    if (!first_error) first_error = std::move(error);
    failed = true;
  };

  transfer_detail::run_parallel(parts, options.transfer.concurrency, [&](std::size_t index) {
    if (failed) return;
    if (options.transfer.cancel.cancelled()) {
      fail(transfer_detail::cancelled_error(store, key));
      return;
    }
    std::uint64_t offset = done + index * part;
    std::uint64_t length = std::min(part, size - offset);
    try {
      ObjectInfo info = fetch_part(offset, length);
      if (info.etag != pinned.etag || info.size != size) {
        fail(replaced_error(store, key, pinned.etag, info.etag));
        return;
      }
    } catch (const Error& error) {
      // A shrunk replacement answers a later range with 416 or too few bytes: name the cause.
      if (error.code() == ErrorCode::InvalidArgument) {
        std::optional<ObjectInfo> now;
        try {
          now = store.head(key);
        } catch (const Error&) {
        }
        if (!now || now->etag != pinned.etag) {
          fail(replaced_error(store, key, pinned.etag, now ? now->etag : ""));
          return;
        }
      }
      fail(error);
      return;
    }
    progress.add_done(length);
  });
  if (first_error) throw *first_error;
}

// The info of an empty object, after a first ranged GET was refused (S3 answers every range of
// an empty object with 416). Rethrows `refusal` when the object is not empty after all.
ObjectInfo empty_object_info(ObjectStore& store, std::string_view key, const Error& refusal) {
  std::optional<ObjectInfo> info = store.head(key);
  if (!info) throw Error(ErrorCode::NotFound, "no object " + store.describe(key));
  if (info->size != 0) throw refusal;
  return *info;
}

// An open file descriptor, closed on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error close() may be the first to see (NFS, quotas).
  int close() {
    int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

Error file_error(const std::filesystem::path& path, const std::string& doing, int error) {
  ErrorCode code = (error == EACCES || error == EPERM || error == EROFS)
                       ? ErrorCode::PermissionDenied
                       : ErrorCode::Io;
  return Error(code, doing + " " + path.string() + ": " + std::strerror(error));
}

void write_all_at(int fd, const std::filesystem::path& path, ByteSpan bytes, std::uint64_t at) {
  while (!bytes.empty()) {
    ssize_t wrote = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(at));
    if (wrote < 0) {
      if (errno == EINTR) continue;
      throw file_error(path, "writing", errno);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(wrote));
    at += static_cast<std::uint64_t>(wrote);
  }
}

std::filesystem::path temporary_path_for(const std::filesystem::path& path) {
  std::random_device random;
  std::uint64_t tag = (std::uint64_t{random()} << 32) ^ random();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(tag));
  return path.parent_path() / ("." + path.filename().string() + ".ndbucket-" + hex);
}

}  // namespace

ObjectInfo download_into(ObjectStore& store, std::string_view key, MutableByteSpan destination,
                         const RangedDownloadOptions& options) {
  check_download_options(options);
  if (destination.empty()) {
    std::optional<ObjectInfo> info = store.head(key);
    if (!info) throw Error(ErrorCode::NotFound, "no object " + store.describe(key));
    check_destination_size(info->size, 0, store.describe(key));
    return *info;
  }
  if (options.transfer.cancel.cancelled()) throw transfer_detail::cancelled_error(store, key);
  const std::uint64_t first = std::min<std::uint64_t>(options.part_size, destination.size());
  ObjectInfo pinned = store.get_into(key, destination.first(first), ByteRange::span(0, first));
  check_destination_size(pinned.size, destination.size(), store.describe(key));
  ProgressReporter progress(options.transfer.progress, pinned.size);
  progress.add_done(first);
  fetch_remaining_parts(store, key, pinned, first, options, progress,
                        [&](std::uint64_t offset, std::uint64_t length) {
                          return store.get_into(key, destination.subspan(offset, length),
                                                ByteRange::span(offset, length));
                        });
  return pinned;
}

GetResult download(ObjectStore& store, std::string_view key, const RangedDownloadOptions& options) {
  check_download_options(options);
  if (options.transfer.cancel.cancelled()) throw transfer_detail::cancelled_error(store, key);
  GetResult result;
  try {
    result = store.get(key, ByteRange::span(0, options.part_size));
  } catch (const Error& error) {
    if (error.code() != ErrorCode::InvalidArgument) throw;
    result.info = empty_object_info(store, key, error);
    return result;
  }
  const std::uint64_t first = result.body.size();
  ProgressReporter progress(options.transfer.progress, result.info.size);
  progress.add_done(first);
  result.body.resize(result.info.size);
  MutableByteSpan body(result.body);
  fetch_remaining_parts(store, key, result.info, first, options, progress,
                        [&](std::uint64_t offset, std::uint64_t length) {
                          return store.get_into(key, body.subspan(offset, length),
                                                ByteRange::span(offset, length));
                        });
  return result;
}

ObjectInfo download_to_file(ObjectStore& store, std::string_view key,
                            const std::filesystem::path& path,
                            const RangedDownloadOptions& options) {
  check_download_options(options);
  if (options.transfer.cancel.cancelled()) throw transfer_detail::cancelled_error(store, key);
  // The first part goes to memory first: its response tells the size, and a missing object is
  // reported before any file is created.
  GetResult first;
  try {
    first = store.get(key, ByteRange::span(0, options.part_size));
  } catch (const Error& error) {
    if (error.code() != ErrorCode::InvalidArgument) throw;
    first.info = empty_object_info(store, key, error);
  }
  const ObjectInfo pinned = first.info;

  const std::filesystem::path temporary = temporary_path_for(path);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw file_error(temporary, "creating", errno);
  FileDescriptor file(fd);
  try {
    if (::ftruncate(file.get(), static_cast<off_t>(pinned.size)) != 0) {
      throw file_error(temporary, "sizing", errno);
    }
    write_all_at(file.get(), temporary, first.body, 0);
    const std::uint64_t done = first.body.size();
    first.body = Bytes();
    ProgressReporter progress(options.transfer.progress, pinned.size);
    progress.add_done(done);
    ByteBudget budget(options.transfer.memory_budget, options.transfer.cancel);
    fetch_remaining_parts(store, key, pinned, done, options, progress,
                          [&](std::uint64_t offset, std::uint64_t length) {
                            Reservation held(budget);
                            if (!held.acquire(length)) {
                              throw transfer_detail::cancelled_error(store, key);
                            }
                            Bytes buffer(length);
                            ObjectInfo info =
                                store.get_into(key, buffer, ByteRange::span(offset, length));
                            // Bytes of another version must not reach the file at all.
                            if (info.etag == pinned.etag) {
                              write_all_at(file.get(), temporary, buffer, offset);
                            }
                            return info;
                          });
    if (::fsync(file.get()) != 0) throw file_error(temporary, "flushing", errno);
    if (file.close() != 0) throw file_error(temporary, "closing", errno);
    std::error_code renamed;
    std::filesystem::rename(temporary, path, renamed);
    if (renamed) throw file_error(path, "renaming a download onto", renamed.value());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  return pinned;
}

}  // namespace ndbucket
