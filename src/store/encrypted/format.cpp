#include "ndbucket/store/encryption_format.hpp"

#include <cstring>

#include "ndbucket/core/error.hpp"

namespace ndbucket::encryption {

namespace {

constexpr std::string_view kMagic = "NDBE";
constexpr std::string_view kAadLabel = "ndbucket-encryption/1";
constexpr std::size_t kMaxWrappedKey = 1024;
constexpr std::size_t kMaxSealedHeader = std::size_t{1} << 20;

void put_be(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i)
    out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xff));
}

void put_text(Bytes& out, std::string_view text) {
  put_be(out, text.size(), 4);
  ByteSpan bytes = as_bytes(text);
  out.insert(out.end(), bytes.begin(), bytes.end());
}

// Reads fields front to back; any overrun is Corrupt, naming what was being read.
class Reader {
 public:
  Reader(ByteSpan bytes, std::string_view what) : bytes_(bytes), what_(what) {}

  ByteSpan take(std::size_t size) {
    if (size > bytes_.size() - pos_) fail("is truncated");
    ByteSpan part = bytes_.subspan(pos_, size);
    pos_ += size;
    return part;
  }
  std::uint64_t be(int size) {
    std::uint64_t value = 0;
    for (std::byte b : take(static_cast<std::size_t>(size)))
      value = (value << 8) | static_cast<std::uint8_t>(b);
    return value;
  }
  std::string text(std::size_t limit) {
    std::uint64_t size = be(4);
    if (size > limit) fail("has an over-long field");
    return std::string(as_string_view(take(static_cast<std::size_t>(size))));
  }
  void finish() {
    if (pos_ != bytes_.size()) fail("has trailing bytes");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(ErrorCode::Corrupt, std::string(what_) + " " + why);
  }

 private:
  ByteSpan bytes_;
  std::string_view what_;
  std::size_t pos_ = 0;
};

}  // namespace

Bytes encode_envelope(const Envelope& envelope) {
  if (envelope.segment_log2 < kMinSegmentLog2 || envelope.segment_log2 > kMaxSegmentLog2 ||
      envelope.key_id.empty() || envelope.key_id.size() > crypto::kMaxKeyIdSize ||
      envelope.wrapped_key.empty() || envelope.wrapped_key.size() > kMaxWrappedKey ||
      envelope.sealed_header.size() < kSegmentTagSize ||
      envelope.sealed_header.size() > kMaxSealedHeader) {
    throw Error(ErrorCode::InvalidArgument, "encryption envelope field out of range");
  }
  Bytes out;
  out.reserve(64 + envelope.key_id.size() + envelope.wrapped_key.size() +
              envelope.sealed_header.size());
  ByteSpan magic = as_bytes(kMagic);
  out.insert(out.end(), magic.begin(), magic.end());
  put_be(out, kFormatVersion, 1);
  put_be(out, envelope.segment_log2, 1);
  put_be(out, static_cast<std::uint8_t>(envelope.algorithm), 1);
  put_be(out, envelope.key_id.size(), 1);
  ByteSpan id = as_bytes(envelope.key_id);
  out.insert(out.end(), id.begin(), id.end());
  put_be(out, envelope.wrapped_key.size(), 2);
  out.insert(out.end(), envelope.wrapped_key.begin(), envelope.wrapped_key.end());
  out.insert(out.end(), envelope.nonce_prefix.begin(), envelope.nonce_prefix.end());
  put_be(out, envelope.sealed_header.size(), 4);
  out.insert(out.end(), envelope.sealed_header.begin(), envelope.sealed_header.end());
  return out;
}

Envelope parse_envelope(ByteSpan bytes) {
  Reader in(bytes, "the encryption envelope");
  if (as_string_view(in.take(kMagic.size())) != kMagic) in.fail("does not start with NDBE");
  std::uint64_t version = in.be(1);
  if (version != kFormatVersion) in.fail("has unknown version " + std::to_string(version));
  Envelope envelope;
  envelope.segment_log2 = static_cast<std::uint8_t>(in.be(1));
  if (envelope.segment_log2 < kMinSegmentLog2 || envelope.segment_log2 > kMaxSegmentLog2) {
    in.fail("has an invalid segment size");
  }
  std::uint64_t algorithm = in.be(1);
  if (algorithm != static_cast<std::uint8_t>(crypto::WrapAlgorithm::AesKeyWrap) &&
      algorithm != static_cast<std::uint8_t>(crypto::WrapAlgorithm::RsaOaepSha256)) {
    in.fail("names unknown wrap algorithm " + std::to_string(algorithm));
  }
  envelope.algorithm = static_cast<crypto::WrapAlgorithm>(algorithm);
  std::uint64_t id_size = in.be(1);
  if (id_size == 0) in.fail("has an empty key id");
  envelope.key_id = std::string(as_string_view(in.take(id_size)));
  std::uint64_t wrapped_size = in.be(2);
  if (wrapped_size == 0 || wrapped_size > kMaxWrappedKey) in.fail("has a bad wrapped-key size");
  ByteSpan wrapped = in.take(wrapped_size);
  envelope.wrapped_key.assign(wrapped.begin(), wrapped.end());
  ByteSpan prefix = in.take(crypto::kNoncePrefixSize);
  std::memcpy(envelope.nonce_prefix.data(), prefix.data(), prefix.size());
  std::uint64_t sealed_size = in.be(4);
  if (sealed_size < kSegmentTagSize || sealed_size > kMaxSealedHeader) {
    in.fail("has a bad sealed-header size");
  }
  ByteSpan sealed = in.take(sealed_size);
  envelope.sealed_header.assign(sealed.begin(), sealed.end());
  in.finish();
  return envelope;
}

Bytes encode_sealed_header(const SealedHeader& header) {
  Bytes out;
  put_be(out, header.size, 8);
  put_text(out, header.content_type);
  put_be(out, header.metadata.size(), 4);
  for (const auto& [name, value] : header.metadata) {  // std::map: ascending, unique
    put_text(out, name);
    put_text(out, value);
  }
  return out;
}

SealedHeader parse_sealed_header(ByteSpan bytes) {
  Reader in(bytes, "the sealed header");
  SealedHeader header;
  header.size = in.be(8);
  header.content_type = in.text(bytes.size());
  std::uint64_t count = in.be(4);
  std::string previous;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string name = in.text(bytes.size());
    if (i > 0 && name <= previous) in.fail("has metadata names out of order");
    std::string value = in.text(bytes.size());
    previous = name;
    header.metadata.emplace(std::move(name), std::move(value));
  }
  in.finish();
  return header;
}

std::uint64_t segment_count(std::uint64_t plaintext_size, std::uint64_t segment_size) noexcept {
  if (plaintext_size == 0) return 1;
  return plaintext_size / segment_size + (plaintext_size % segment_size != 0 ? 1 : 0);
}

std::uint64_t ciphertext_size(std::uint64_t plaintext_size, std::uint64_t segment_size) noexcept {
  return plaintext_size + kSegmentTagSize * segment_count(plaintext_size, segment_size);
}

std::optional<std::uint64_t> plaintext_size(std::uint64_t ciphertext_size,
                                            std::uint64_t segment_size) noexcept {
  std::uint64_t stride = segment_size + kSegmentTagSize;
  std::uint64_t full = ciphertext_size / stride;
  std::uint64_t rest = ciphertext_size % stride;
  if (rest == 0) {
    if (full == 0) return std::nullopt;
    return full * segment_size;
  }
  if (rest < kSegmentTagSize || (rest == kSegmentTagSize && full > 0)) return std::nullopt;
  return full * segment_size + rest - kSegmentTagSize;
}

crypto::SegmentCipher object_cipher(ByteSpan data_key, const Envelope& envelope,
                                    std::string_view key) {
  Bytes aad = to_bytes(kAadLabel);
  aad.push_back(std::byte{0});
  aad.push_back(static_cast<std::byte>(envelope.segment_log2));
  ByteSpan key_bytes = as_bytes(key);
  aad.insert(aad.end(), key_bytes.begin(), key_bytes.end());
  return crypto::SegmentCipher(data_key, envelope.nonce_prefix, std::move(aad));
}

SealedHeader open_sealed_header(crypto::SegmentCipher& cipher, const Envelope& envelope,
                                std::string_view what) {
  Bytes plaintext(envelope.sealed_header.size() - kSegmentTagSize);
  if (!cipher.open_header(envelope.sealed_header, plaintext)) {
    throw Error(ErrorCode::Corrupt, "the encryption header of " + std::string(what) +
                                        " does not authenticate (altered, or moved from "
                                        "another key)");
  }
  try {
    return parse_sealed_header(plaintext);
  } catch (const Error& error) {
    throw Error(ErrorCode::Corrupt, error.message() + " in " + std::string(what));
  }
}

void check_body_size(const SealedHeader& header, const Envelope& envelope, std::uint64_t body_size,
                     std::string_view what) {
  // Counting segments first keeps ciphertext_size() far from overflow.
  if (segment_count(header.size, envelope.segment_size()) >= crypto::kMaxSegments ||
      body_size != ciphertext_size(header.size, envelope.segment_size())) {
    throw Error(ErrorCode::Corrupt, "the body of " + std::string(what) + " has " +
                                        std::to_string(body_size) +
                                        " bytes, not what its header records (truncated or "
                                        "extended)");
  }
}

void open_segments(crypto::SegmentCipher& cipher, std::uint64_t segment_size,
                   std::uint64_t plaintext_size, MutableByteSpan window, std::uint64_t begin,
                   std::uint64_t end, std::byte* out, std::string_view what) {
  const std::uint64_t count = segment_count(plaintext_size, segment_size);
  const std::uint64_t first = begin / segment_size;
  const std::uint64_t last = end > begin ? (end - 1) / segment_size : first;
  if (last >= count || end > plaintext_size) {
    throw Error(ErrorCode::InvalidArgument, "segment range outside " + std::string(what));
  }
  const std::uint64_t stride = segment_size + kSegmentTagSize;
  for (std::uint64_t index = first; index <= last; ++index) {
    const bool is_last = index + 1 == count;
    const std::uint64_t start = index * segment_size;
    const std::uint64_t length = is_last ? plaintext_size - start : segment_size;
    const std::uint64_t at = (index - first) * stride;
    if (at + length + kSegmentTagSize > window.size()) {
      throw Error(ErrorCode::Corrupt, "the body of " + std::string(what) + " is truncated");
    }
    MutableByteSpan sealed = window.subspan(at, length + kSegmentTagSize);
    if (!cipher.open_segment(index, is_last, sealed, sealed.first(length))) {
      throw Error(ErrorCode::Corrupt, "segment " + std::to_string(index) + " of " +
                                          std::string(what) +
                                          " does not authenticate (altered, reordered, "
                                          "truncated or moved from another key)");
    }
    const std::uint64_t from = std::max(begin, start);
    const std::uint64_t to = std::min(end, start + length);
    if (to > from) std::memmove(out + (from - begin), sealed.data() + (from - start), to - from);
  }
}

void seal_body(crypto::SegmentCipher& cipher, std::uint64_t segment_size, ByteSpan plaintext,
               MutableByteSpan body) {
  const std::uint64_t count = segment_count(plaintext.size(), segment_size);
  if (body.size() != ciphertext_size(plaintext.size(), segment_size)) {
    throw Error(ErrorCode::InvalidArgument, "the sealed body buffer has the wrong size");
  }
  for (std::uint64_t index = 0; index < count; ++index) {
    const std::uint64_t start = index * segment_size;
    const std::uint64_t length = std::min<std::uint64_t>(segment_size, plaintext.size() - start);
    cipher.seal_segment(
        index, index + 1 == count, plaintext.subspan(start, length),
        body.subspan(index * (segment_size + kSegmentTagSize), length + kSegmentTagSize));
  }
}

Bytes decode_body(ByteSpan data_key, const Envelope& envelope, std::string_view key,
                  ByteSpan body) {
  crypto::SegmentCipher cipher = object_cipher(data_key, envelope, key);
  SealedHeader header = open_sealed_header(cipher, envelope, key);
  check_body_size(header, envelope, body.size(), key);
  Bytes window(body.begin(), body.end());
  open_segments(cipher, envelope.segment_size(), header.size, window, 0, header.size, window.data(),
                key);
  window.resize(header.size);
  return window;
}

}  // namespace ndbucket::encryption
