// FileStore: a local directory as a bucket, one file per object (the default backend).
//
// Layout: the object "a/b/c" is the file <root>/a/b/c, byte for byte, so other tools can read the
// data. ndbucket's own state lives in <root>/.ndbucket/ and never shows in listings:
//   .ndbucket/tmp/   bodies being written, renamed into place when complete
//   .ndbucket/meta/  user metadata and content type, one JSON sidecar per object version
// A sidecar is named after the inode of the body it describes (meta/<key>@<inode>), so a body
// and its metadata change together atomically even when a writer dies between the two renames.
//
// Guarantees: a put writes a temporary file, fsyncs it and renames it over the key, so readers
// and a crash (even SIGKILL) see the old object or the new one, never a torn one. No key reaches
// outside the root: "." / ".." segments are refused and symbolic links resolving outside the
// root are refused (links inside the root are followed).
//
// Limits compared with S3: keys with empty segments ("a//b", "/a", "a/"), a segment named
// ".ndbucket", or both "a" and "a/b" at once are refused (a path cannot be file and directory).
// A body changed by another program (size or mtime) loses its ndbucket metadata.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

struct FileStoreOptions {
  // Create the root directory (and parents) when missing; otherwise a missing root is NotFound.
  bool create_root = true;
  // fsync bodies, sidecars and directories before a put returns (durability across power loss).
  // Off trades that for speed; atomicity against crashes of the process holds either way.
  bool sync = true;
};

// Thread safety: all methods may be called concurrently, also from several processes sharing one
// root. Concurrent puts to one key leave exactly one of the bodies with its own metadata.
class FileStore final : public ObjectStore {
 public:
  // Opens the directory `root` (made absolute). Removes temporary files that crashed writers left
  // behind. Errors: NotFound (missing root, create_root false), PermissionDenied, Io.
  explicit FileStore(const std::filesystem::path& root, FileStoreOptions options = {});

  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override;
  // Streams into a temporary file under the root's .ndbucket/tmp; commit renames it into place.
  std::unique_ptr<ObjectUpload> begin_upload(std::string_view key,
                                             const PutOptions& options = {}) override;
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override;
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override;
  std::optional<ObjectInfo> head(std::string_view key) override;
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override;
  void remove(std::string_view key) override;
  ObjectInfo copy(std::string_view source, std::string_view destination) override;
  std::string url() const override;
  StoreCapabilities capabilities() const override;

  const std::filesystem::path& root() const { return root_; }

  // The name of the folder holding ndbucket's state inside a root; also how open_store finds the
  // root of a store from a path inside it.
  static constexpr const char* kStateDir = ".ndbucket";

 private:
  class Writer;
  class Upload;
  struct Located;

  Located locate(std::string_view key) const;
  std::filesystem::path sidecar_path(std::string_view key, std::uint64_t inode) const;
  struct OpenVersion;
  struct HeldInode;
  HeldInode hold_inode(const std::filesystem::path& path) const;
  void remove_sidecar(std::string_view key, std::uint64_t inode) const;
  std::optional<OpenVersion> open_version(std::string_view key, const Located& located) const;
  void read_sidecar(int fd, const struct stat& body, const std::string& what,
                    ObjectInfo& info) const;
  ObjectInfo write_object(std::string_view key, const Located& target, const PutOptions& options,
                          const std::function<void(int fd)>& write_body);
  // Syncs `body`, writes its metadata sidecar and renames it onto `target`.
  ObjectInfo publish(std::string_view key, const Located& target, const PutOptions& options,
                     Writer& body);
  void remove_stale_temporaries() const;
  void prune_empty_parents(std::filesystem::path dir, const std::filesystem::path& stop) const;

  std::filesystem::path root_;
  FileStoreOptions options_;
};

}  // namespace ndbucket
