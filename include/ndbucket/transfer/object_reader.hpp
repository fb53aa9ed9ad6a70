// ObjectReader: one object read like a file (read, read_into, seek, tell, prefetch), in one of two
// modes taken from s3torchconnector:
//
//   Sequential  reads in large chunks (chunk_size, 8 MiB) and fetches the next chunk in the
//               background while the current one is consumed. For reading objects start to end.
//   Ranged      fetches only the ranges asked for, through a buffer (buffer_size, 8 MiB; 0
//               disables it): a read smaller than the buffer fills the buffer from the read's
//               position (later nearby reads come from memory), a read at least as large as the
//               buffer goes straight from the store into the caller's memory, and a read that
//               starts inside the buffer and runs past it takes the buffered part from memory and
//               handles the rest by the same rules. For sparse reads of large objects.
//
// Consistency: the first response about the object (a HEAD or the first GET) pins its ETag and
// size; every later response must carry the same ETag. If the object was replaced since, the
// read fails with ErrorCode::Corrupt naming the key and both ETags, so bytes of two versions are
// never mixed. Open a new reader to read the new version.
//
// Thread safety: one reader must be used by one thread at a time (like a FILE*); separate readers
// over one store may be used concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

enum class ReaderMode { Sequential, Ranged };

// Where seek() counts from, as SEEK_SET, SEEK_CUR and SEEK_END.
enum class Whence { Set, Current, End };

struct ReaderOptions {
  ReaderMode mode = ReaderMode::Sequential;
  // Sequential mode: bytes per GET and per background read-ahead. 8 MiB is S3's usual part size:
  // requests are few while two chunks (current + read-ahead) stay small. 0 is InvalidArgument.
  std::uint64_t chunk_size = std::uint64_t{8} << 20;
  // Ranged mode: the buffer (s3torchconnector's default, 8 MiB); 0 reads exactly what is asked.
  std::uint64_t buffer_size = std::uint64_t{8} << 20;
};

class ObjectReader {
 public:
  // A reader of `key` in `store`, positioned at 0. Nothing is fetched until first use.
  // Errors: InvalidArgument for a chunk_size of 0.
  ObjectReader(std::shared_ptr<ObjectStore> store, std::string key, ReaderOptions options = {});
  ~ObjectReader();  // waits for a background read-ahead still running
  // A moved-from reader may only be destroyed or assigned to.
  ObjectReader(ObjectReader&&) noexcept;
  ObjectReader& operator=(ObjectReader&&) noexcept;

  // Reads up to `count` bytes from the position (all the rest when nullopt) and advances past
  // them. Returns fewer only at the end of the object; empty at EOF.
  // Errors: NotFound (no such object), Corrupt (replaced since pinned), InvalidArgument (bad key),
  // PermissionDenied, Io, Unavailable.
  Bytes read(std::optional<std::uint64_t> count = std::nullopt);

  // Reads up to destination.size() bytes into destination and advances past them. Returns the
  // count read: less than destination.size() only at the end of the object, 0 at EOF.
  // Errors: as read.
  std::size_t read_into(MutableByteSpan destination);

  // Moves the position to `offset` counted from `whence` and returns the new position. A
  // position past the end stays at the end (EOF). Errors: InvalidArgument (naming the key) for a
  // position before the start, the position unchanged; as read when the size must be fetched.
  std::uint64_t seek(std::int64_t offset, Whence whence = Whence::Set);

  // The current position. Never fetches anything.
  std::uint64_t tell() const noexcept;

  // The object's size (pinned on first use: a HEAD if nothing was fetched yet). Errors: as read.
  std::uint64_t size();

  // The object's info as pinned (key, size, etag, metadata, content type). Errors: as read.
  const ObjectInfo& info();

  // Starts fetching: in sequential mode the chunk at the position, in the background (a later
  // read waits for it); in ranged mode it pins the object's info. Errors: as read (a background
  // fetch reports its errors on the next read).
  void prefetch();

  const std::string& key() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ndbucket
