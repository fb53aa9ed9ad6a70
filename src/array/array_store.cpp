#include "ndbucket/array/array_store.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ndbucket/codecs/codec.hpp"

namespace ndbucket {

namespace {

// Above this many bytes cottoncandy switches its default from gzip to Zstd (GzipFile and numpy's
// buffers had 32-bit limits in the Python versions it targeted).
constexpr std::size_t kGzipDefaultLimit = std::size_t{1} << 31;
// cottoncandy's lower-case "gzip" goes through Python's GzipFile at its default level.
constexpr int kCottoncandyGzipLevel = 9;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_raw(std::string_view compression) {
  std::string name = lower(compression);
  return name == "false" || name == "none";
}

bool is_reserved(std::string_view name) {
  std::string n = lower(name);
  return n == "dtype" || n == "shape" || n == "compression" || n == "order" || n == "gzip";
}

// Re-raises a codec or store error with the object's URL in front, keeping its code.
[[noreturn]] void rethrow_for(const Error& error, const std::string& what) {
  throw Error(error.code(), what + ": " + error.message());
}

}  // namespace

bool is_raw_array_metadata(const Metadata& metadata) {
  for (const auto& entry : metadata) {
    std::string name = lower(entry.first);
    if (name == "compression" || name == "gzip") return true;
  }
  return false;
}

ArrayInfo parse_array_metadata(const Metadata& metadata, std::string_view what) {
  auto corrupt = [&](const std::string& why) -> Error {
    return Error(ErrorCode::Corrupt, std::string(what) + " is not a raw array: " + why);
  };
  std::map<std::string, std::string> fields;
  ArrayInfo info;
  for (const auto& [name, value] : metadata) {
    std::string n = lower(name);
    if (is_reserved(n)) {
      fields[n] = value;
    } else {
      info.metadata[name] = value;
    }
  }
  if (auto legacy = fields.find("gzip"); legacy != fields.end()) {
    // Releases up to 0.1.1 wrote gzip=True/False instead of compression; it wins when present.
    std::string v = lower(legacy->second);
    if (v == "true") {
      info.compression = "gzip";
    } else if (v == "false") {
      info.compression = "False";
    } else {
      throw corrupt("legacy 'gzip' metadata is '" + legacy->second + "', not True or False");
    }
  } else if (auto c = fields.find("compression"); c != fields.end()) {
    if (c->second.empty()) throw corrupt("empty 'compression' metadata");
    info.compression = is_raw(c->second) ? "False" : c->second;
  } else {
    throw corrupt("no 'compression' (or legacy 'gzip') metadata");
  }
  auto dtype = fields.find("dtype");
  if (dtype == fields.end()) throw corrupt("no 'dtype' metadata");
  try {
    info.dtype = DType::parse(dtype->second);
  } catch (const Error& error) {
    if (error.code() == ErrorCode::Unsupported) rethrow_for(error, std::string(what));
    throw corrupt(error.message());
  }
  auto shape = fields.find("shape");
  if (shape == fields.end()) throw corrupt("no 'shape' metadata");
  try {
    info.shape = Shape::from_metadata(shape->second);
    info.shape.nbytes(info.dtype.itemsize());
  } catch (const Error& error) {
    throw corrupt(error.message());
  }
  if (auto order = fields.find("order"); order != fields.end()) {
    std::string o = lower(order->second);
    if (o != "c" && o != "f") throw corrupt("'order' metadata is '" + order->second + "'");
    // Only the raw and gzip readers of cottoncandy honour order=F; other codecs are C order.
    bool honoured = info.compression == "False" || lower(info.compression) == "gzip";
    info.order = (o == "f" && honoured) ? Order::F : Order::C;
  }
  return info;
}

ArrayStore::ArrayStore(std::shared_ptr<ObjectStore> store, CodecRegistry codecs,
                       ArrayStoreOptions options)
    : store_(std::move(store)), codecs_(std::move(codecs)), options_(options) {
  if (!store_) throw Error(ErrorCode::InvalidArgument, "ArrayStore needs a store");
  if (options_.read_piece_size == 0) {
    throw Error(ErrorCode::InvalidArgument, "ArrayStore: read_piece_size must be positive");
  }
}

ObjectInfo ArrayStore::save(std::string_view key, const ArrayView& view,
                            const ArraySaveOptions& options) const {
  for (const auto& entry : options.metadata) {
    if (is_reserved(entry.first)) {
      throw Error(ErrorCode::InvalidArgument, store_->describe(key) + ": metadata name '" +
                                                  entry.first + "' is reserved for the array");
    }
  }
  std::size_t nbytes = view.nbytes();
  std::string compression;
  if (!options.compression) {
    compression = nbytes <= kGzipDefaultLimit ? "gzip" : "Zstd";
  } else if (options.compression->empty()) {
    throw Error(ErrorCode::InvalidArgument,
                store_->describe(key) + ": empty compression name (use \"none\")");
  } else {
    compression = is_raw(*options.compression) ? "False" : *options.compression;
  }
  std::shared_ptr<const Codec> codec;
  if (compression == "gzip") {
    codec = codecs_.from_config({{"id", "gzip"}, {"level", kCottoncandyGzipLevel}});
  } else if (compression != "False") {
    codec = codecs_.create(compression);
  }

  // C-contiguous data is sent (or compressed) in place; anything else is laid out in C order.
  std::optional<Array> c_copy;
  ByteSpan elements;
  if (view.is_c_contiguous()) {
    elements = ByteSpan(view.data(), nbytes);
  } else {
    c_copy = Array::copy_of(view, Order::C);
    elements = c_copy->bytes();
  }
  PutOptions put;
  put.metadata = options.metadata;
  put.metadata["dtype"] = view.dtype().str();
  put.metadata["shape"] = view.shape().to_metadata();
  put.metadata["compression"] = compression;
  put.metadata["order"] = "C";
  if (!codec) return store_->put(key, elements, put);
  Bytes body;
  try {
    body = codec->encode(elements,
                         {.element_size = std::max<std::size_t>(1, view.dtype().itemsize())});
  } catch (const Error& error) {
    rethrow_for(error, store_->describe(key));
  }
  c_copy.reset();  // the encoded body replaces the C-order copy in memory
  return store_->put(key, body, put);
}

ArrayInfo ArrayStore::info(std::string_view key) const {
  std::optional<ObjectInfo> head = store_->head(key);
  if (!head) throw Error(ErrorCode::NotFound, store_->describe(key) + ": no such array");
  ArrayInfo info = parse_array_metadata(head->metadata, store_->describe(key));
  info.key = std::string(key);
  info.stored_size = head->size;
  return info;
}

void ArrayStore::read_body(const ArrayInfo& info, MutableByteSpan destination) const {
  const std::string what = store_->describe(info.key);
  std::size_t nbytes = destination.size();
  if (info.compression == "False") {
    if (info.stored_size < nbytes) {
      throw Error(ErrorCode::Corrupt, what + ": body has " + std::to_string(info.stored_size) +
                                          " bytes, the array needs " + std::to_string(nbytes));
    }
    if (nbytes == 0) return;
    // Trailing bytes are ignored, as cottoncandy reads exactly prod(shape) * itemsize.
    store_->get_into(info.key, destination, ByteRange::span(0, nbytes));
    return;
  }
  std::shared_ptr<const Codec> codec;
  try {
    codec = codecs_.create(info.compression);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::NotFound) throw;
    throw Error(ErrorCode::Unsupported, what + ": unknown compression '" + info.compression + "'");
  }
  try {
    if (codec->supports_streaming() && info.stored_size > options_.read_piece_size) {
      // Ranged reads fed to the decoder: never the whole compressed body in memory.
      auto decoder = codec->make_streaming_decoder(destination);
      std::string etag;
      for (std::uint64_t offset = 0; offset < info.stored_size;) {
        std::uint64_t length =
            std::min<std::uint64_t>(options_.read_piece_size, info.stored_size - offset);
        GetResult piece = store_->get(info.key, ByteRange::span(offset, length));
        if (offset == 0) etag = piece.info.etag;
        if (piece.info.etag != etag || piece.info.size != info.stored_size) {
          throw Error(ErrorCode::Unavailable, "the object changed while it was being read");
        }
        if (piece.body.empty()) throw Error(ErrorCode::Corrupt, "empty range read");
        decoder->feed(piece.body);
        offset += piece.body.size();
      }
      decoder->finish();
      return;
    }
    GetResult body = store_->get(info.key);
    codec->decode_into(body.body, destination);
  } catch (const Error& error) {
    rethrow_for(
        error, what + " (" + info.compression + ", " + std::to_string(nbytes) + " bytes expected)");
  }
}

Array ArrayStore::load(std::string_view key) const {
  ArrayInfo meta = info(key);
  std::size_t nbytes = meta.shape.nbytes(meta.dtype.itemsize());
  if (meta.compression == "False" && meta.stored_size < nbytes) {
    // Refused before allocating: a forged shape must not cost memory.
    throw Error(ErrorCode::Corrupt, store_->describe(key) + ": body has " +
                                        std::to_string(meta.stored_size) +
                                        " bytes, the array needs " + std::to_string(nbytes));
  }
  Array out = Array::uninitialized(meta.dtype, meta.shape, meta.order);
  read_body(meta, out.bytes());
  return out;
}

void ArrayStore::load_into(std::string_view key, const MutableArrayView& destination) const {
  ArrayInfo meta = info(key);
  if (!(destination.shape() == meta.shape) || !destination.dtype().same_except_order(meta.dtype)) {
    throw Error(ErrorCode::InvalidArgument,
                store_->describe(key) + " holds " + meta.dtype.str() + " " + meta.shape.to_tuple() +
                    ", the destination is " + destination.dtype().str() + " " +
                    destination.shape().to_tuple());
  }
  bool in_place =
      meta.order == Order::C ? destination.is_c_contiguous() : destination.is_f_contiguous();
  if (in_place) {
    read_body(meta, MutableByteSpan(destination.data(), destination.nbytes()));
    if (destination.dtype().byte_order() != meta.dtype.byte_order()) {
      byteswap_in_place(destination);
    }
    return;
  }
  Array staging = Array::uninitialized(meta.dtype, meta.shape, meta.order);
  read_body(meta, staging.bytes());
  copy_elements(staging.view(), destination);
}

Array ArrayStore::load_any(std::string_view key) const {
  std::optional<ObjectInfo> head = store_->head(key);
  if (!head) throw Error(ErrorCode::NotFound, store_->describe(key) + ": no such array");
  return is_raw_array_metadata(head->metadata) ? load(key) : load_npy(key);
}

ObjectInfo ArrayStore::save_npy(std::string_view key, const ArrayView& view,
                                const Metadata& metadata, const NpyWriteOptions& options) const {
  // One buffer: ObjectStore::put takes a single span, so header and elements are joined.
  Bytes body = encode_npy(view, options);
  return store_->put(key, body, {.metadata = metadata});
}

NpyHeader ArrayStore::read_npy_header(std::string_view key, std::uint64_t& size,
                                      Bytes& prefix) const {
  const std::string what = store_->describe(key);
  // Most headers fit in the first 4 KiB; a longer one costs a second ranged read.
  constexpr std::uint64_t kFirstRead = 4096;
  GetResult first;
  try {
    first = store_->get(key, ByteRange::span(0, kFirstRead));
  } catch (const Error& error) {
    // S3 answers an empty object's range with 416, which stores report as InvalidArgument.
    std::optional<ObjectInfo> head;
    if (error.code() == ErrorCode::InvalidArgument) head = store_->head(key);
    if (head && head->size == 0) {
      throw Error(ErrorCode::Corrupt, what + ": not a valid .npy: empty object");
    }
    throw;
  }
  size = first.info.size;
  std::size_t offset = npy_data_offset(first.body, what);
  prefix = std::move(first.body);
  if (offset > prefix.size()) {
    if (offset > size) {
      throw Error(ErrorCode::Corrupt, what + ": not a valid .npy: truncated header");
    }
    prefix = store_->get(key, ByteRange::span(0, offset)).body;
  }
  return parse_npy_header(prefix, what);
}

NpyHeader ArrayStore::npy_info(std::string_view key) const {
  std::uint64_t size = 0;
  Bytes prefix;
  return read_npy_header(key, size, prefix);
}

Array ArrayStore::load_npy(std::string_view key) const {
  const std::string what = store_->describe(key);
  std::uint64_t size = 0;
  Bytes header_bytes;
  NpyHeader header = read_npy_header(key, size, header_bytes);
  // Checked before allocating, so a forged shape cannot ask for more memory than the body.
  std::size_t nbytes = header.shape.nbytes(header.dtype.itemsize());
  if (size - header.data_offset < nbytes) {
    throw Error(ErrorCode::Corrupt, what + ": not a valid .npy: the data holds " +
                                        std::to_string(size - header.data_offset) +
                                        " bytes, the shape needs " + std::to_string(nbytes));
  }
  Array out = Array::uninitialized(header.dtype, header.shape, header.order);
  if (out.nbytes() == 0) return out;
  if (header_bytes.size() >= header.data_offset + out.nbytes()) {
    // A small file arrived whole with the first read.
    std::memcpy(out.data(), header_bytes.data() + header.data_offset, out.nbytes());
    return out;
  }
  store_->get_into(key, out.bytes(), ByteRange::span(header.data_offset, out.nbytes()));
  return out;
}

}  // namespace ndbucket
