#include "ndbucket/store/file_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <utility>

#include "listing.hpp"
#include "ndbucket/store/key.hpp"
#include "ndbucket/store/object_upload.hpp"
#include "posix_file.hpp"

namespace ndbucket {

namespace fs = std::filesystem;
using posix::UniqueFd;

namespace {

constexpr const char* kTmpDir = "tmp";
constexpr const char* kMetaDir = "meta";
// A temporary file older than this whose writer no longer holds its lock is debris of a crash.
constexpr auto kStaleTemporaryAge = std::chrono::minutes(1);
// A rename can race with a concurrent remove pruning the (then empty) parent directory.
constexpr int kRenameAttempts = 5;
// Readers start over when a writer replaces the object under them; bounded so a key rewritten
// nonstop cannot hold a reader forever.
constexpr int kReadAttempts = 50;

std::string random_name() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> dist;
  char name[40];
  std::snprintf(name, sizeof name, "%016llx%016llx.part",
                static_cast<unsigned long long>(dist(device)),
                static_cast<unsigned long long>(dist(device)));
  return name;
}

std::string etag_of(const struct stat& st) {
  char etag[80];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx-%llx\"", static_cast<unsigned long long>(st.st_ino),
                static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(posix::mtime_ns(st)));
  return etag;
}

std::chrono::system_clock::time_point time_of(const struct stat& st) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(posix::mtime_ns(st))));
}

// Splits "a/b/c" into its segments; FileStore needs each to be a real path component.
std::vector<std::string_view> segments_of(std::string_view key) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = key.find('/', start);
    parts.push_back(key.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool is_within(const fs::path& path, const fs::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

void sync_directory(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  // Some filesystems refuse fsync on directories; the rename itself already happened.
  if (fd) ::fsync(fd.get());
}

// Creates the directory and its parents. A component that exists as a file is reported as the
// FileStore limit it is (a path cannot be both an object and a directory).
void make_directories(const fs::path& dir, std::string_view what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) return;
  if (ec == std::errc::not_a_directory || ec == std::errc::file_exists) {
    throw Error(ErrorCode::Unsupported,
                "cannot write " + std::string(what) +
                    ": a parent of it is an object, and a FileStore cannot hold both 'a' and "
                    "'a/...' keys");
  }
  posix::throw_errno(ec.value(), "could not create the directory for", what);
}

struct DirEntry {
  std::string name;
  bool is_dir = false;
  struct stat st {};
  // How S3 orders it: a directory "a" sorts as "a/", so "a-b" < "a/x".
  std::string sort_key() const { return is_dir ? name + "/" : name; }
};

}  // namespace

struct FileStore::Located {
  fs::path path;
  std::string what;  // the URL of the object, for messages
};

// A body held open so its inode number stays taken.
struct FileStore::HeldInode {
  UniqueFd fd;  // empty when there was no regular file
  std::uint64_t inode = 0;
};

// One version of an object held open: the body descriptor and that version's info.
struct FileStore::OpenVersion {
  UniqueFd fd;
  ObjectInfo info;
};

FileStore::FileStore(const fs::path& root, FileStoreOptions options) : options_(options) {
  std::error_code ec;
  fs::path absolute = fs::absolute(root, ec);
  if (ec) posix::throw_errno(ec.value(), "could not resolve the store root", root.string());
  if (!fs::exists(absolute, ec)) {
    if (!options_.create_root) {
      throw Error(ErrorCode::NotFound, "store root " + absolute.string() + " does not exist");
    }
    fs::create_directories(absolute, ec);
    if (ec) posix::throw_errno(ec.value(), "could not create the store root", absolute.string());
  }
  root_ = fs::canonical(absolute, ec);
  if (ec) posix::throw_errno(ec.value(), "could not resolve the store root", absolute.string());
  if (!fs::is_directory(root_)) {
    throw Error(ErrorCode::InvalidArgument, "store root " + root_.string() + " is not a directory");
  }
  remove_stale_temporaries();
}

std::string FileStore::url() const { return "file://" + root_.string(); }

StoreCapabilities FileStore::capabilities() const {
  return {.arbitrary_key_segments = false, .server_side_copy = false};
}

FileStore::Located FileStore::locate(std::string_view key) const {
  validate_key(key, url());
  Located located{root_, describe(key)};
  for (std::string_view segment : segments_of(key)) {
    if (segment.empty()) {
      throw Error(ErrorCode::InvalidArgument,
                  "invalid key '" + std::string(key) + "' in " + url() +
                      ": a FileStore key may not have empty segments (leading, trailing or "
                      "doubled '/')");
    }
    if (segment == kStateDir) {
      throw Error(ErrorCode::InvalidArgument, "invalid key '" + std::string(key) + "' in " + url() +
                                                  ": the segment '" + kStateDir +
                                                  "' is reserved for FileStore's own state");
    }
    located.path /= segment;
  }
  // Symbolic links may point anywhere; only targets inside the root are followed.
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(located.path, ec);
  if (ec) posix::throw_errno(ec.value(), "could not resolve", located.what);
  if (!is_within(resolved, root_)) {
    throw Error(ErrorCode::PermissionDenied,
                located.what + " resolves outside the store root through a symbolic link");
  }
  return located;
}

fs::path FileStore::sidecar_path(std::string_view key, std::uint64_t inode) const {
  fs::path path = root_ / kStateDir / kMetaDir;
  path /= std::string(key) + "@" + std::to_string(inode);
  return path;
}

std::optional<FileStore::OpenVersion> FileStore::open_version(std::string_view key,
                                                              const Located& located) const {
  // A concurrent put may replace the body and delete the old version's sidecar between our
  // open() and our sidecar read; then the version we hold is gone and we start again.
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    OpenVersion version{UniqueFd(::open(located.path.c_str(), O_RDONLY | O_CLOEXEC)), {}};
    if (!version.fd) {
      if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
      posix::throw_errno(errno, "could not open", located.what);
    }
    struct stat st {};
    if (::fstat(version.fd.get(), &st) != 0) {
      posix::throw_errno(errno, "could not stat", located.what);
    }
    if (!S_ISREG(st.st_mode)) return std::nullopt;  // a directory is not an object
    version.info.key = std::string(key);
    version.info.size = static_cast<std::uint64_t>(st.st_size);
    version.info.etag = etag_of(st);
    version.info.last_modified = time_of(st);
    version.info.content_type = std::string(kDefaultContentType);

    UniqueFd sidecar(::open(sidecar_path(key, st.st_ino).c_str(), O_RDONLY | O_CLOEXEC));
    if (sidecar) {
      read_sidecar(sidecar.get(), st, located.what, version.info);
      return version;
    }
    if (errno != ENOENT) posix::throw_errno(errno, "could not open the metadata of", located.what);
    struct stat current {};
    bool replaced = ::stat(located.path.c_str(), &current) != 0 || current.st_ino != st.st_ino;
    if (!replaced) return version;  // this version has no metadata
  }
  throw Error(ErrorCode::Unavailable, located.what + " was replaced " +
                                          std::to_string(kReadAttempts) +
                                          " times while being read; giving up");
}

void FileStore::read_sidecar(int fd, const struct stat& body, const std::string& what,
                             ObjectInfo& info) const {
  struct stat st {};
  if (::fstat(fd, &st) != 0) posix::throw_errno(errno, "could not stat the metadata of", what);
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  posix::pread_all(fd, 0, MutableByteSpan(reinterpret_cast<std::byte*>(text.data()), text.size()),
                   "the metadata of " + what);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc["size"].is_number_unsigned() || !doc["mtime_ns"].is_number() ||
      !doc["content_type"].is_string() || !doc["metadata"].is_object()) {
    throw Error(ErrorCode::Corrupt, "the metadata sidecar of " + what + " is malformed");
  }
  // A body rewritten in place by another program has outgrown its sidecar.
  if (doc["size"].get<std::uint64_t>() != info.size ||
      doc["mtime_ns"].get<std::int64_t>() != posix::mtime_ns(body)) {
    return;
  }
  Metadata metadata;
  for (const auto& [name, value] : doc["metadata"].items()) {
    if (!value.is_string()) {
      throw Error(ErrorCode::Corrupt,
                  "the metadata sidecar of " + what + " has a non-string value");
    }
    metadata[name] = value.get<std::string>();
  }
  info.metadata = std::move(metadata);
  info.content_type = doc["content_type"].get<std::string>();
}

// A temporary file being written, removed again unless committed by a rename.
class FileStore::Writer {
 public:
  Writer(const FileStore& store, std::string what) : what_(std::move(what)) {
    fs::path tmp_dir = store.root_ / kStateDir / kTmpDir;
    for (int attempt = 0; attempt < 2; ++attempt) {
      path_ = tmp_dir / random_name();
      fd_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
      if (fd_ || errno != ENOENT) break;
      make_directories(tmp_dir, what_);
    }
    if (!fd_) posix::throw_errno(errno, "could not create a temporary file for", what_);
    // The lock tells remove_stale_temporaries in other processes that this file is alive.
    ::flock(fd_.get(), LOCK_EX);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    if (!committed_) ::unlink(path_.c_str());
  }

  int fd() const { return fd_.get(); }

  struct stat finish(bool sync) {
    if (sync && ::fsync(fd_.get()) != 0) posix::throw_errno(errno, "could not sync", what_);
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) posix::throw_errno(errno, "could not stat", what_);
    return st;
  }

  // Renames the file to `target`, creating parent directories, and retries when a concurrent
  // remove pruned them in between.
  void commit(const fs::path& target) {
    for (int attempt = 1;; ++attempt) {
      make_directories(target.parent_path(), what_);
      if (::rename(path_.c_str(), target.c_str()) == 0) break;
      int err = errno;
      if (err == ENOENT && attempt < kRenameAttempts) continue;
      if (err == EISDIR || err == ENOTEMPTY || err == EEXIST) {
        throw Error(ErrorCode::Unsupported,
                    "cannot write " + what_ +
                        ": other keys live under it, and a FileStore cannot hold both 'a' and "
                        "'a/...' keys");
      }
      posix::throw_errno(err, "could not rename a temporary file onto", what_);
    }
    committed_ = true;
  }

 private:
  std::string what_;
  fs::path path_;
  UniqueFd fd_;
  bool committed_ = false;
};

ObjectInfo FileStore::write_object(std::string_view key, const Located& target,
                                   const PutOptions& options,
                                   const std::function<void(int fd)>& write_body) {
  Writer body(*this, target.what);
  write_body(body.fd());
  return publish(key, target, options, body);
}

ObjectInfo FileStore::publish(std::string_view key, const Located& target,
                              const PutOptions& options, Writer& body) {
  struct stat st = body.finish(options_.sync);

  ObjectInfo info;
  info.key = std::string(key);
  info.size = static_cast<std::uint64_t>(st.st_size);
  info.etag = etag_of(st);
  info.last_modified = time_of(st);
  info.content_type = options.content_type;
  for (const auto& [name, value] : options.metadata) info.metadata[ascii_lower(name)] = value;

  // The sidecar lands first, under the new body's inode, so the body rename publishes both.
  fs::path new_sidecar = sidecar_path(key, st.st_ino);
  if (!info.metadata.empty() || info.content_type != kDefaultContentType) {
    nlohmann::json doc = {{"size", info.size},
                          {"mtime_ns", posix::mtime_ns(st)},
                          {"content_type", info.content_type},
                          {"metadata", info.metadata}};
    std::string text = doc.dump();
    Writer sidecar(*this, "the metadata of " + target.what);
    posix::write_all(sidecar.fd(), as_bytes(text), target.what);
    sidecar.finish(options_.sync);
    sidecar.commit(new_sidecar);
  } else {
    // A sidecar left by a crashed writer whose inode was since reused must not apply here.
    ::unlink(new_sidecar.c_str());
  }

  // Holding the replaced body open keeps its inode number from being reused by another writer
  // before its sidecar is gone; otherwise we could delete that writer's fresh sidecar.
  HeldInode old = hold_inode(target.path);
  try {
    body.commit(target.path);
  } catch (...) {
    ::unlink(new_sidecar.c_str());
    throw;
  }
  if (options_.sync) sync_directory(target.path.parent_path());
  if (old.fd && old.inode != st.st_ino) remove_sidecar(key, old.inode);
  return info;
}

ObjectInfo FileStore::put(std::string_view key, ByteSpan body, const PutOptions& options) {
  Located target = locate(key);
  return write_object(key, target, options,
                      [&](int fd) { posix::write_all(fd, body, target.what); });
}

// Streams into a temporary file; commit publishes it exactly as put() does.
class FileStore::Upload final : public ObjectUpload {
 public:
  Upload(FileStore& store, std::string_view key, PutOptions options)
      : ObjectUpload(store.describe(key)),
        store_(store),
        key_(key),
        target_(store.locate(key)),
        options_(std::move(options)),
        body_(std::make_unique<Writer>(store, target_.what)) {}
  ~Upload() override { abort(); }

 protected:
  void append(ByteSpan data) override { posix::write_all(body_->fd(), data, target_.what); }
  ObjectInfo publish() override { return store_.publish(key_, target_, options_, *body_); }
  void discard() noexcept override { body_.reset(); }  // unlinks the temporary file

 private:
  FileStore& store_;
  std::string key_;
  Located target_;
  PutOptions options_;
  std::unique_ptr<Writer> body_;
};

std::unique_ptr<ObjectUpload> FileStore::begin_upload(std::string_view key,
                                                      const PutOptions& options) {
  return std::make_unique<Upload>(*this, key, options);
}

GetResult FileStore::get(std::string_view key, const std::optional<ByteRange>& range) {
  Located located = locate(key);
  std::optional<OpenVersion> version = open_version(key, located);
  if (!version) throw Error(ErrorCode::NotFound, "no object at " + located.what);
  GetResult result{{}, std::move(version->info)};
  ResolvedRange span{0, result.info.size};
  if (range) span = resolve_range(*range, result.info.size, located.what);
  result.body.resize(span.end - span.begin);
  posix::pread_all(version->fd.get(), span.begin, result.body, located.what);
  return result;
}

ObjectInfo FileStore::get_into(std::string_view key, MutableByteSpan destination,
                               const std::optional<ByteRange>& range) {
  Located located = locate(key);
  std::optional<OpenVersion> version = open_version(key, located);
  if (!version) throw Error(ErrorCode::NotFound, "no object at " + located.what);
  ResolvedRange span{0, version->info.size};
  if (range) span = resolve_range(*range, version->info.size, located.what);
  check_destination_size(span.end - span.begin, destination.size(), located.what);
  posix::pread_all(version->fd.get(), span.begin, destination, located.what);
  return std::move(version->info);
}

std::optional<ObjectInfo> FileStore::head(std::string_view key) {
  Located located = locate(key);
  std::optional<OpenVersion> version = open_version(key, located);
  if (!version) return std::nullopt;
  return std::move(version->info);
}

void FileStore::remove(std::string_view key) {
  Located located = locate(key);
  struct stat link {};
  if (::lstat(located.path.c_str(), &link) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return;
    posix::throw_errno(errno, "could not stat", located.what);
  }
  if (S_ISDIR(link.st_mode)) return;  // a directory is not an object: nothing to delete
  // A symbolic link's target may be another key's body; only the link goes.
  HeldInode body = S_ISLNK(link.st_mode) ? HeldInode{} : hold_inode(located.path);
  if (::unlink(located.path.c_str()) != 0 && errno != ENOENT) {
    posix::throw_errno(errno, "could not delete", located.what);
  }
  if (body.fd) remove_sidecar(key, body.inode);
  // S3 has no directories: an emptied one must not linger as a listing artefact.
  prune_empty_parents(located.path.parent_path(), root_);
}

FileStore::HeldInode FileStore::hold_inode(const fs::path& path) const {
  HeldInode held{UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)), 0};
  struct stat st {};
  if (held.fd && ::fstat(held.fd.get(), &st) == 0 && S_ISREG(st.st_mode)) {
    held.inode = st.st_ino;
  } else {
    held.fd.reset();
  }
  return held;
}

void FileStore::remove_sidecar(std::string_view key, std::uint64_t inode) const {
  fs::path sidecar = sidecar_path(key, inode);
  if (::unlink(sidecar.c_str()) == 0) {
    prune_empty_parents(sidecar.parent_path(), root_ / kStateDir / kMetaDir);
  }
}

ObjectInfo FileStore::copy(std::string_view source, std::string_view destination) {
  Located from = locate(source);
  Located to = locate(destination);
  std::optional<OpenVersion> version = open_version(source, from);
  if (!version) throw Error(ErrorCode::NotFound, "copy source " + from.what + " does not exist");
  const UniqueFd& in = version->fd;
  const ObjectInfo& source_info = version->info;
  PutOptions options{source_info.metadata, source_info.content_type};
  return write_object(destination, to, options, [&](int out) {
    // copy_file_range keeps the bytes in the kernel (and reflinks where the filesystem can).
    off_t offset = 0;
    auto remaining = static_cast<std::uint64_t>(source_info.size);
    while (remaining > 0) {
      ssize_t n = ::copy_file_range(in.get(), &offset, out, nullptr, remaining, 0);
      if (n > 0) {
        remaining -= static_cast<std::uint64_t>(n);
        continue;
      }
      if (n == 0) {
        throw Error(ErrorCode::Corrupt, from.what + " became shorter while being copied");
      }
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL) {
        posix::throw_errno(errno, "could not copy", from.what);
      }
      Bytes buffer(std::min<std::uint64_t>(remaining, 8 << 20));
      while (remaining > 0) {
        auto chunk =
            MutableByteSpan(buffer).first(std::min<std::uint64_t>(remaining, buffer.size()));
        posix::pread_all(in.get(), static_cast<std::uint64_t>(offset), chunk, from.what);
        posix::write_all(out, chunk, to.what);
        offset += static_cast<off_t>(chunk.size());
        remaining -= chunk.size();
      }
    }
  });
}

void FileStore::prune_empty_parents(fs::path dir, const fs::path& stop) const {
  while (dir != stop && is_within(dir, stop)) {
    if (::rmdir(dir.c_str()) != 0) return;  // not empty (or already gone): keep it
    dir = dir.parent_path();
  }
}

void FileStore::remove_stale_temporaries() const {
  fs::path tmp_dir = root_ / kStateDir / kTmpDir;
  std::error_code ec;
  auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(tmp_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code time_ec;
    auto written = it->last_write_time(time_ec);
    if (time_ec || now - written < kStaleTemporaryAge) continue;
    UniqueFd fd(::open(it->path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    // A live writer holds the lock; only files whose writer died are removed.
    if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) ::unlink(it->path().c_str());
  }
}

namespace {

// Walks a FileStore's directory tree in S3 key order, feeding a ListingPager.
class TreeLister {
 public:
  TreeLister(const fs::path& root, ListingPager& pager, bool single_char_delimiter)
      : root_(root), pager_(pager), single_char_delimiter_(single_char_delimiter) {}

  // Lists `dir` (key prefix `dir_key`, "" or ending in '/') keeping names starting with
  // `name_filter`. Returns false when the caller stopped the listing.
  bool walk(const fs::path& dir, const std::string& dir_key, std::string_view name_filter) {
    std::vector<DirEntry> entries;
    if (!read_entries(dir, name_filter, entries)) return true;
    for (const DirEntry& entry : entries) {
      std::string key = dir_key + entry.name;
      if (!entry.is_dir) {
        if (skipped(key)) continue;
        bool more = true;
        if (auto rollup = pager_.rollup_of(key)) {
          more = pager_.add_common_prefix(std::move(*rollup));
        } else {
          ObjectInfo info;
          info.key = std::move(key);
          info.size = static_cast<std::uint64_t>(entry.st.st_size);
          info.etag = etag_of(entry.st);
          info.last_modified = time_of(entry.st);
          more = pager_.add_object(std::move(info));
        }
        if (!more) return false;
        continue;
      }
      std::string sub_key = key + "/";
      if (skipped(sub_key)) continue;
      // With a one-character delimiter every key below rolls up to the same prefix, so the
      // directory needs no full walk: one file anywhere in it is enough to emit the prefix.
      if (auto rollup = pager_.rollup_of(sub_key); rollup && single_char_delimiter_) {
        if (contains_file(dir / entry.name) && !pager_.add_common_prefix(std::move(*rollup))) {
          return false;
        }
        continue;
      }
      if (!enter(entry)) continue;
      bool more = walk(dir / entry.name, sub_key, "");
      leave(entry);
      if (!more) return false;
    }
    return true;
  }

 private:
  bool skipped(const std::string& key) const {
    const std::string& last = pager_.last_common_prefix();
    return !last.empty() && key.starts_with(last);
  }

  // Guards against symbolic link cycles inside the root.
  bool enter(const DirEntry& entry) {
    return active_.insert({entry.st.st_dev, entry.st.st_ino}).second;
  }
  void leave(const DirEntry& entry) { active_.erase({entry.st.st_dev, entry.st.st_ino}); }

  bool contains_file(const fs::path& dir) {
    std::vector<DirEntry> entries;
    if (!read_entries(dir, "", entries)) return false;
    for (const DirEntry& entry : entries) {
      if (!entry.is_dir) return true;
    }
    for (const DirEntry& entry : entries) {
      if (!enter(entry)) continue;
      bool found = contains_file(dir / entry.name);
      leave(entry);
      if (found) return true;
    }
    return false;
  }

  // Regular files and directories of `dir`, sorted in S3 order. Skips FileStore's state folder,
  // special files, and symbolic links that leave the root. False if `dir` cannot be read.
  bool read_entries(const fs::path& dir, std::string_view name_filter,
                    std::vector<DirEntry>& entries) {
    std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), ::closedir);
    if (!handle) {
      if (errno == ENOENT || errno == ENOTDIR) return false;
      posix::throw_errno(errno, "could not list", dir.string());
    }
    int dir_fd = ::dirfd(handle.get());
    while (dirent* item = ::readdir(handle.get())) {
      std::string_view name = item->d_name;
      if (name == "." || name == ".." || name == FileStore::kStateDir) continue;
      if (!name.starts_with(name_filter)) continue;
      DirEntry entry{std::string(name)};
      if (::fstatat(dir_fd, item->d_name, &entry.st, 0) != 0) continue;  // vanished meanwhile
      if (item->d_type == DT_LNK || item->d_type == DT_UNKNOWN) {
        std::error_code ec;
        fs::path target = fs::canonical(dir / entry.name, ec);
        if (ec || !is_within(target, root_)) continue;
      }
      if (S_ISDIR(entry.st.st_mode)) {
        entry.is_dir = true;
      } else if (!S_ISREG(entry.st.st_mode)) {
        continue;
      }
      entries.push_back(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(),
              [](const DirEntry& a, const DirEntry& b) { return a.sort_key() < b.sort_key(); });
    return true;
  }

  const fs::path& root_;
  ListingPager& pager_;
  bool single_char_delimiter_;
  std::set<std::pair<dev_t, ino_t>> active_;
};

}  // namespace

void FileStore::list_pages(std::string_view prefix, const ListOptions& options,
                           const std::function<bool(ListPage&)>& on_page) {
  ListingPager pager(prefix, options, on_page);
  // The prefix splits into a directory to open and a filter on the names inside it.
  std::size_t slash = prefix.rfind('/');
  std::string_view dir_part = slash == std::string_view::npos ? "" : prefix.substr(0, slash + 1);
  std::string_view name_filter =
      slash == std::string_view::npos ? prefix : prefix.substr(slash + 1);
  fs::path dir = root_;
  if (!dir_part.empty()) {
    for (std::string_view segment : segments_of(dir_part.substr(0, dir_part.size() - 1))) {
      // No FileStore key starts with such a directory part, so the listing is empty.
      if (segment.empty() || segment == "." || segment == ".." || segment == kStateDir ||
          segment.find('\0') != std::string_view::npos) {
        pager.finish();
        return;
      }
      dir /= segment;
    }
    std::error_code ec;
    fs::path resolved = fs::weakly_canonical(dir, ec);
    if (ec || !is_within(resolved, root_)) {
      pager.finish();
      return;
    }
  }
  TreeLister lister(root_, pager, options.delimiter.size() == 1);
  if (lister.walk(dir, std::string(dir_part), name_filter)) pager.finish();
}

}  // namespace ndbucket
