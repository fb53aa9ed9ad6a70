// ObjectUpload: an object whose body arrives in pieces (a stream, a file being produced, data too
// large to hold at once). Nothing becomes visible until commit(); an upload that is aborted,
// fails or is destroyed without commit() leaves the store as it was (the previous object under
// the key, if any, stays intact, and no parts linger).
//
// Obtain one from ObjectStore::begin_upload. The store must outlive the upload.
//
// Thread safety: one upload is used by one thread at a time (the store itself stays shareable;
// many uploads may run at once).
#pragma once

#include <cstdint>
#include <string>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

class ObjectUpload {
 public:
  ObjectUpload(const ObjectUpload&) = delete;
  ObjectUpload& operator=(const ObjectUpload&) = delete;
  // Implementations abort an upload that was neither committed nor aborted.
  virtual ~ObjectUpload() = default;

  // Appends `data`. May block while earlier bytes are still being sent (the memory an upload
  // holds is bounded by its backend: see S3Config::part_size and concurrency).
  // Errors: InvalidArgument after commit/abort or an earlier failure; the backend's put errors
  // (Io, Unavailable, PermissionDenied ...), after which the upload is aborted.
  void write(ByteSpan data);

  // Publishes everything written as the object, atomically replacing any previous one, and
  // returns its info. Errors: as write(); a failed commit aborts the upload.
  ObjectInfo commit();

  // Discards everything written. Idempotent and a no-op after commit(); never throws (a failure
  // to clean up, e.g. an S3 abort that cannot be sent, is logged by the backend).
  void abort() noexcept;

  // Bytes written so far.
  std::uint64_t size() const { return size_; }

  // The object being written, as messages name it ("s3://bucket/key").
  const std::string& what() const { return what_; }

 protected:
  explicit ObjectUpload(std::string what) : what_(std::move(what)) {}

  // The backend's work; the public methods above enforce the states (open -> committed or
  // aborted) and abort on failure, so these run only while the upload is open.
  virtual void append(ByteSpan data) = 0;
  virtual ObjectInfo publish() = 0;
  virtual void discard() noexcept = 0;

 private:
  enum class State { Open, Committed, Aborted, Failed };
  void require_open(const char* operation) const;

  std::string what_;
  std::uint64_t size_ = 0;
  State state_ = State::Open;
};

// An upload that keeps the whole body in memory and put()s it on commit: ObjectStore's default
// for backends without a streaming path (MemoryStore). The store must outlive it.
class BufferedUpload final : public ObjectUpload {
 public:
  BufferedUpload(ObjectStore& store, std::string_view key, PutOptions options);
  ~BufferedUpload() override { abort(); }

 protected:
  void append(ByteSpan data) override;
  ObjectInfo publish() override;
  void discard() noexcept override;

 private:
  ObjectStore& store_;
  std::string key_;
  PutOptions options_;
  Bytes body_;
};

}  // namespace ndbucket
