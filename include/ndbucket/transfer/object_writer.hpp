// ObjectWriter: one object written like a file, in pieces of any size, without holding the whole
// body: on S3 the bytes stream into a multipart upload (parts sent in the background), on a
// directory store into a temporary file. The object appears, replacing any previous one
// atomically, only when close() succeeds; a writer destroyed or aborted before that, cancelled,
// or failing leaves the store as it was (no half-written object, no multipart parts left).
//
// Thread safety: one writer must be used by one thread at a time (like a FILE*); the
// cancellation token may be triggered from any thread.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>

#include "ndbucket/store/object_store.hpp"
#include "ndbucket/transfer/transfer_options.hpp"

namespace ndbucket {

class ObjectUpload;

struct WriterOptions {
  PutOptions put;  // metadata and content type of the object
  // Called after each write with (bytes written, expected_size or, when unknown, bytes written).
  ProgressCallback progress;
  std::optional<std::uint64_t> expected_size;
  // Once cancelled, the next write or close aborts the upload and throws Unavailable.
  CancellationToken cancel;
};

class ObjectWriter {
 public:
  // Starts writing `key` in `store`. Errors: InvalidArgument (bad key or metadata name), and
  // whatever the store raises when it starts an upload.
  ObjectWriter(std::shared_ptr<ObjectStore> store, std::string key, WriterOptions options = {});
  ~ObjectWriter();  // aborts unless closed
  // A moved-from writer may only be destroyed or assigned to.
  ObjectWriter(ObjectWriter&&) noexcept;
  ObjectWriter& operator=(ObjectWriter&&) noexcept;

  // Appends `data`; may block while earlier parts are still being sent.
  // Errors: Unavailable (cancelled, or the store's retries ran out), InvalidArgument (after
  // close/abort or an earlier failure), the store's put errors. Any error aborts the upload.
  void write(ByteSpan data);

  // Publishes the object and returns its info. Errors: as write().
  ObjectInfo close();

  // Discards everything written. Idempotent, a no-op after close(); never throws.
  void abort() noexcept;

  // Bytes written so far.
  std::uint64_t tell() const noexcept;

  const std::string& key() const noexcept;

 private:
  void check_cancelled();

  std::shared_ptr<ObjectStore> store_;
  std::string key_;
  WriterOptions options_;
  std::unique_ptr<ObjectUpload> upload_;
};

// Streams everything `in` yields into `key` through an ObjectWriter, reading `piece_size` bytes
// at a time (memory stays at about one piece plus what the store's upload holds), and closes it.
// Errors: Io when reading `in` fails (the upload is aborted), as ObjectWriter otherwise.
ObjectInfo upload_stream(std::istream& in, std::shared_ptr<ObjectStore> store, std::string key,
                         WriterOptions options = {}, std::size_t piece_size = std::size_t{1} << 20);

}  // namespace ndbucket
