#include "ndbucket/store/object_upload.hpp"

#include "ndbucket/store/key.hpp"

namespace ndbucket {

void ObjectUpload::require_open(const char* operation) const {
  switch (state_) {
    case State::Open:
      return;
    case State::Committed:
      throw Error(ErrorCode::InvalidArgument,
                  std::string("cannot ") + operation + " " + what_ + ": already committed");
    case State::Aborted:
      throw Error(ErrorCode::InvalidArgument,
                  std::string("cannot ") + operation + " " + what_ + ": the upload was aborted");
    case State::Failed:
      throw Error(ErrorCode::InvalidArgument, std::string("cannot ") + operation + " " + what_ +
                                                  ": the upload failed earlier and was aborted");
  }
}

void ObjectUpload::write(ByteSpan data) {
  require_open("write to");
  try {
    append(data);
  } catch (...) {
    // A partly appended body must never be committed later: drop it all.
    discard();
    state_ = State::Failed;
    throw;
  }
  size_ += data.size();
}

ObjectInfo ObjectUpload::commit() {
  require_open("commit");
  try {
    ObjectInfo info = publish();
    state_ = State::Committed;
    return info;
  } catch (...) {
    discard();
    state_ = State::Failed;
    throw;
  }
}

void ObjectUpload::abort() noexcept {
  if (state_ != State::Open) return;
  discard();
  state_ = State::Aborted;
}

BufferedUpload::BufferedUpload(ObjectStore& store, std::string_view key, PutOptions options)
    : ObjectUpload(store.describe(key)), store_(store), key_(key), options_(std::move(options)) {
  validate_key(key, store.url());
}

void BufferedUpload::append(ByteSpan data) { body_.insert(body_.end(), data.begin(), data.end()); }

ObjectInfo BufferedUpload::publish() {
  ObjectInfo info = store_.put(key_, body_, options_);
  Bytes().swap(body_);
  return info;
}

void BufferedUpload::discard() noexcept { Bytes().swap(body_); }

std::unique_ptr<ObjectUpload> ObjectStore::begin_upload(std::string_view key,
                                                        const PutOptions& options) {
  return std::make_unique<BufferedUpload>(*this, key, options);
}

}  // namespace ndbucket
