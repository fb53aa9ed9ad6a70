// FileSystem: directories, globbing, recursive copy and delete over any ObjectStore, after
// cottoncandy's FileSystemInterface, with its mistakes fixed (see formats/cottoncandy.md).
//
// A "directory" is a key prefix ending in '/': "a/b" is a directory when some key starts with
// "a/b/". Names are cleaned as cottoncandy does: runs of '/' collapse and one leading '/' is
// dropped, so "/a//b" names "a/b".
//
// Thread safety: as the wrapped store (every method may be called concurrently).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/fs/glob.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

// Called with (bytes done, bytes total) as a long operation advances.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct GlobOptions {
  GlobSyntax syntax = GlobSyntax::Path;
  // For a pattern without wildcards: also return the keys below it when it names a directory.
  bool include_subtree = false;
};

struct CopyOptions {
  bool recursive = false;  // copy a directory and everything below it
  bool overwrite = false;  // replace existing destination objects
  int concurrency = 8;     // objects copied at once
  ProgressCallback progress{};
};

struct DiskUsage {
  std::uint64_t bytes = 0;
  std::uint64_t objects = 0;
};

// One directory level of a walk: its path ("" for the root, else ending in '/'), the names of
// its subdirectories and of its objects (last segments only).
struct WalkEntry {
  std::string directory;
  std::vector<std::string> subdirectories;
  std::vector<std::string> objects;
};

// The rule names go through: collapse runs of '/', drop one leading '/'. Thread safety: pure.
std::string clean_name(std::string_view name);

// A URL whose path may hold glob wildcards ("s3://b/runs/*/weights?endpoint=..."), split into
// the store at its deepest wildcard-free directory and the pattern below it ("*/weights"); a
// URL without wildcards gives its parent directory and its last segment. In s3:// and mem://
// URLs the first '?' starts the query string, so use `[x]` classes there instead of `?`.
// Errors: InvalidArgument (a wildcard in the bucket name), those of open_store.
struct GlobLocation {
  std::shared_ptr<ObjectStore> store;
  std::string pattern;
};
GlobLocation open_glob(std::string_view url, bool create = false);

// Whether the URL's path holds a wildcard, by the rules of open_glob. Thread safety: pure.
bool url_has_wildcards(std::string_view url);

class FileSystem {
 public:
  // Errors: InvalidArgument for a null store.
  explicit FileSystem(std::shared_ptr<ObjectStore> store);

  const std::shared_ptr<ObjectStore>& store() const { return store_; }

  // Whether `name` is an object or a directory.
  bool exists(std::string_view name);
  // Whether some key lies below `name` + '/' ("" is the root: true when the store is not empty).
  bool isdir(std::string_view name);

  // The keys matching `pattern`, sorted, listing only below its literal prefix. A pattern
  // without wildcards returns that key if it exists (plus its subtree with include_subtree).
  // Errors: InvalidArgument for a malformed pattern; those of the store's listing.
  std::vector<std::string> glob(std::string_view pattern, const GlobOptions& options = {});

  // One level of `directory`: its subdirectories (full paths ending in '/') then its objects
  // (full keys), through every page of the listing.
  std::vector<std::string> lsdir(std::string_view directory = "");

  // glob() for a pattern with wildcards, lsdir() for a directory, else the object itself (or
  // nothing).
  std::vector<std::string> ls(std::string_view pattern_or_directory = "");

  // Visits `directory` and every directory below it, top-down; stop by returning false.
  void walk(std::string_view directory, const std::function<bool(const WalkEntry&)>& visit);

  // An indented drawing of `directory`'s tree ("a/", "├── b/", "│   └── c"), one entry a line.
  std::string tree(std::string_view directory = "");

  // Bytes and objects below `prefix` (a directory, or the whole store for ""). Lists the first
  // level's subdirectories in parallel, so a wide bucket is summed quickly.
  DiskUsage du(std::string_view prefix = "", int concurrency = 8);

  // Copies the object `source` to the key `destination`, or with options.recursive the
  // directory `source` to the directory `destination` ("a/x/y" -> "b/x/y" for source "a",
  // destination "b"), keeping metadata. Server-side where the store can.
  // Errors: NotFound (no such source), InvalidArgument (a directory without recursive; a
  // destination inside the source), AlreadyExists (a destination object exists and not
  // overwrite; nothing is copied then), and the store's errors.
  // Returns the number of objects copied.
  std::size_t cp(std::string_view source, std::string_view destination,
                 const CopyOptions& options = {});

  // cp() into another store's tree: the same rules, with each object read here and written
  // there (metadata and content type kept). With target == *this it is cp().
  std::size_t copy_to(FileSystem& target, std::string_view source, std::string_view destination,
                      const CopyOptions& options = {});

  // cp() then deletes what was copied. Errors as cp.
  std::size_t mv(std::string_view source, std::string_view destination,
                 const CopyOptions& options = {});

  // Deletes the object `name`; with `recursive` also everything in the directory `name` (exactly
  // "name/...", never "name2/..." or "name.txt"), in batches. Returns the number deleted.
  // Errors: NotFound (neither object nor directory), InvalidArgument (a directory without
  // recursive), and the first per-key error of the batch deletes.
  std::size_t rm(std::string_view name, bool recursive = false);

  // Uploads every regular file below the local directory `local` to the directory `prefix`,
  // relative paths kept ("local/a/b.txt" -> "prefix/a/b.txt"). `include`/`exclude` are glob
  // patterns on the relative path (empty include: everything). Returns the number uploaded.
  // Errors: NotFound (no such local directory), AlreadyExists (a target exists and not
  // overwrite; nothing is uploaded then), Io, and the store's errors.
  std::size_t upload_directory(const std::string& local, std::string_view prefix,
                               const CopyOptions& options = {},
                               const std::vector<std::string>& include = {},
                               const std::vector<std::string>& exclude = {});

  // Downloads every object below the directory `prefix` into the local directory `local`
  // (created as needed), relative paths kept; each file appears only once complete. Keys that
  // would leave `local` ("..") are refused. Returns the number downloaded. Errors: AlreadyExists
  // (a local file exists and not overwrite; nothing is written then), Io, the store's errors.
  std::size_t download_directory(std::string_view prefix, const std::string& local,
                                 const CopyOptions& options = {},
                                 const std::vector<std::string>& include = {},
                                 const std::vector<std::string>& exclude = {});

 private:
  std::vector<std::string> keys_below(const std::string& prefix);

  std::shared_ptr<ObjectStore> store_;
};

}  // namespace ndbucket
