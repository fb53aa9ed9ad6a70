// ObjectStore: bytes by key, the interface every backend (FileStore, MemoryStore, S3Store) and
// every decorator (PrefixStore, EncryptedStore) implements with S3's semantics.
//
// Keys are '/'-separated UTF-8 strings. An empty key, a "." or ".." segment, or a NUL byte is
// InvalidArgument everywhere (see key.hpp); a backend may refuse more (FileStore refuses empty
// segments) and says so through its capabilities.
//
// Thread safety: every ObjectStore is safe to share between threads; concurrent puts to one key
// leave one of the bodies, never a mix.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket {

class ObjectUpload;  // object_upload.hpp

// User metadata: S3's x-amz-meta-* pairs. S3 lower-cases names, so every backend stores names
// lower-cased; values are kept as given.
using Metadata = std::map<std::string, std::string>;

// The content type a put stores when the caller names none.
inline constexpr std::string_view kDefaultContentType = "application/octet-stream";

// What a store knows about one object. Listings fill key, size, etag and last_modified only.
struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  // opaque; changes whenever the object is rewritten
  std::chrono::system_clock::time_point last_modified;
  Metadata metadata;
  std::string content_type;
};

struct PutOptions {
  Metadata metadata;  // names are lower-cased on write
  std::string content_type = std::string(kDefaultContentType);
};

// A byte range of an object, with S3's semantics: a range starting at or past the end of the
// object is InvalidArgument (HTTP 416, also for an empty object); a range running past the end is
// cut at the end; a suffix range longer than the object returns the whole object.
struct ByteRange {
  std::uint64_t offset = 0;             // first byte (ignored for a suffix range)
  std::optional<std::uint64_t> length;  // nullopt: to the end
  std::optional<std::uint64_t> suffix;  // set: the last *suffix bytes (S3 "bytes=-N")

  static ByteRange from(std::uint64_t offset) { return {offset, std::nullopt, std::nullopt}; }
  static ByteRange span(std::uint64_t offset, std::uint64_t length) {
    return {offset, length, std::nullopt};
  }
  static ByteRange last(std::uint64_t count) { return {0, std::nullopt, count}; }
};

// Where a range lands in an object of `object_size` bytes: [begin, end). Throws InvalidArgument
// (naming `what`) for an unsatisfiable range, as S3 answers 416. Also rejects a zero length.
// Thread safety: pure.
struct ResolvedRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};
ResolvedRange resolve_range(const ByteRange& range, std::uint64_t object_size,
                            std::string_view what);

// Throws InvalidArgument unless `available` bytes (of the object `what`) fill a destination of
// `wanted` bytes exactly; how get_into implementations agree on that rule. Thread safety: pure.
void check_destination_size(std::uint64_t available, std::size_t wanted, std::string_view what);

struct GetResult {
  Bytes body;       // the whole object, or the requested range of it
  ObjectInfo info;  // info.size is the size of the whole object, not of the range
};

struct ListOptions {
  // Empty: every key under the prefix. Otherwise keys whose remainder after the prefix contains
  // the delimiter are rolled up into common prefixes, as S3 does ("/" gives one directory level).
  std::string delimiter{};
  // Most entries (objects + common prefixes) handed to one page callback.
  std::size_t page_size = 1000;
};

// One page of a listing; keys and prefixes are in ascending byte order across pages.
struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
};

// A whole listing: every page concatenated.
struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
};

// Yes/no questions a generic caller (and the conformance suite) asks a backend.
struct StoreCapabilities {
  // A key may contain empty segments ("a//b", "/a", "a/") and both "a" and "a/b" may exist.
  bool arbitrary_key_segments = true;
  // copy() happens inside the store without moving the bytes through this process.
  bool server_side_copy = false;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Writes `body` under `key`, replacing any previous object atomically: a failed or interrupted
  // put leaves the previous object intact. Returns the new object's info.
  // Errors: InvalidArgument (bad key), PermissionDenied, Io, Unavailable, Unsupported.
  virtual ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) = 0;

  // Starts writing `key` in pieces (see object_upload.hpp): the object appears, replacing any
  // previous one atomically, only when the upload is committed. The default keeps the body in
  // memory and put()s it on commit; FileStore streams into a temporary file and S3Store into a
  // multipart upload. The store must outlive the upload.
  // Errors: InvalidArgument (bad key, bad metadata name), PermissionDenied, Io, Unavailable.
  virtual std::unique_ptr<ObjectUpload> begin_upload(std::string_view key,
                                                     const PutOptions& options = {});

  // Reads the object (or `range` of it) with its info, body and info from the same version.
  // Errors: NotFound, InvalidArgument (bad key or unsatisfiable range), PermissionDenied, Io,
  // Unavailable.
  virtual GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) = 0;

  // Reads the object (or `range` of it) straight into `destination`, which must be exactly as
  // long as the bytes read: no intermediate buffer, so a large download lands where the caller
  // wants it. Returns the object's info. Errors: as get; InvalidArgument when the object or range
  // holds more or fewer bytes than destination.size() (bytes may have been written then).
  // The default implementation copies from get(); backends override it to avoid the copy.
  virtual ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                              const std::optional<ByteRange>& range = {});

  // The object's info (with metadata and content type), or nullopt when it does not exist.
  // Errors: InvalidArgument (bad key), PermissionDenied, Io, Unavailable.
  virtual std::optional<ObjectInfo> head(std::string_view key) = 0;

  // Lists keys starting with `prefix` (which need not end at a '/'), calling `on_page` with up
  // to options.page_size entries at a time until done or until it returns false.
  // Errors: InvalidArgument (bad delimiter or page size), PermissionDenied, Io, Unavailable.
  virtual void list_pages(std::string_view prefix, const ListOptions& options,
                          const std::function<bool(ListPage&)>& on_page) = 0;

  // Deletes the object. Deleting a missing key is not an error, as in S3.
  // Errors: InvalidArgument (bad key), PermissionDenied, Io, Unavailable.
  virtual void remove(std::string_view key) = 0;

  // Copies `source` to `destination` with its metadata and content type, replacing any object
  // there. Errors: NotFound (source), as put otherwise.
  virtual ObjectInfo copy(std::string_view source, std::string_view destination) = 0;

  // The URL this store is rooted at ("file:///data/store", "mem://scratch"); used in messages.
  virtual std::string url() const = 0;

  virtual StoreCapabilities capabilities() const { return {}; }

  // Deletes many objects; one entry per key, in order: nullopt on success, else that key's
  // error. Backends with a batch API (S3 DeleteObjects) override this.
  virtual std::vector<std::optional<Error>> remove_many(const std::vector<std::string>& keys);

  // --- Conveniences built on the primitives above. ---

  // The whole listing in memory (all pages). Use list_pages for huge listings.
  ListResult list(std::string_view prefix, const ListOptions& options = {});

  // get() that returns nullopt for a missing key instead of throwing NotFound.
  std::optional<GetResult> try_get(std::string_view key,
                                   const std::optional<ByteRange>& range = {});

  // Whether the key names an object. Errors as head().
  bool exists(std::string_view key) { return head(key).has_value(); }

  // "<url>/<key>", the way messages name an object.
  std::string describe(std::string_view key) const;
};

}  // namespace ndbucket
