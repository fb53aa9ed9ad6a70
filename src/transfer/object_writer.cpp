#include "ndbucket/transfer/object_writer.hpp"

#include "ndbucket/store/object_upload.hpp"

namespace ndbucket {

ObjectWriter::ObjectWriter(std::shared_ptr<ObjectStore> store, std::string key,
                           WriterOptions options)
    : store_(std::move(store)), key_(std::move(key)), options_(std::move(options)) {
  if (!store_) throw Error(ErrorCode::InvalidArgument, "an ObjectWriter needs a store");
  upload_ = store_->begin_upload(key_, options_.put);
}

ObjectWriter::~ObjectWriter() = default;  // the upload aborts itself unless committed
ObjectWriter::ObjectWriter(ObjectWriter&&) noexcept = default;
ObjectWriter& ObjectWriter::operator=(ObjectWriter&&) noexcept = default;

void ObjectWriter::check_cancelled() {
  if (options_.cancel.cancelled()) {
    upload_->abort();
    throw Error(ErrorCode::Unavailable,
                "the upload of " + store_->describe(key_) + " was cancelled; nothing was written");
  }
}

void ObjectWriter::write(ByteSpan data) {
  check_cancelled();
  upload_->write(data);
  if (options_.progress) {
    try {
      options_.progress(upload_->size(), options_.expected_size.value_or(upload_->size()));
    } catch (...) {  // a failing progress display must not fail the upload (as in transfers)
    }
  }
}

ObjectInfo ObjectWriter::close() {
  check_cancelled();
  return upload_->commit();
}

void ObjectWriter::abort() noexcept { upload_->abort(); }

std::uint64_t ObjectWriter::tell() const noexcept { return upload_->size(); }

const std::string& ObjectWriter::key() const noexcept { return key_; }

ObjectInfo upload_stream(std::istream& in, std::shared_ptr<ObjectStore> store, std::string key,
                         WriterOptions options, std::size_t piece_size) {
  std::string what = store ? store->describe(key) : key;
  ObjectWriter writer(std::move(store), std::move(key), std::move(options));
  Bytes piece(std::max<std::size_t>(piece_size, 1));
  while (in) {
    in.read(reinterpret_cast<char*>(piece.data()), static_cast<std::streamsize>(piece.size()));
    std::size_t got = static_cast<std::size_t>(in.gcount());
    if (got > 0) writer.write(ByteSpan(piece).first(got));
  }
  if (in.bad()) {
    writer.abort();
    throw Error(ErrorCode::Io, "could not read the input for " + what + "; nothing was uploaded");
  }
  return writer.close();
}

}  // namespace ndbucket
