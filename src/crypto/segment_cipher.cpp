#include "ndbucket/crypto/segment_cipher.hpp"

#include <cstring>

#include "ndbucket/core/error.hpp"

namespace ndbucket::crypto {

namespace {
constexpr std::uint8_t kMiddleFlag = 0;
constexpr std::uint8_t kLastFlag = 1;
constexpr std::uint8_t kHeaderFlag = 2;
}  // namespace

SegmentCipher::SegmentCipher(ByteSpan data_key, ByteSpan nonce_prefix, Bytes aad)
    : gcm_(data_key), aad_(std::move(aad)) {
  if (nonce_prefix.size() != kNoncePrefixSize) {
    throw Error(ErrorCode::InvalidArgument, "a segment nonce prefix must be 7 bytes");
  }
  std::memcpy(nonce_, nonce_prefix.data(), kNoncePrefixSize);
}

void SegmentCipher::set_nonce(std::uint64_t index, std::uint8_t flag) {
  for (int i = 0; i < 4; ++i) {
    nonce_[kNoncePrefixSize + static_cast<std::size_t>(i)] =
        static_cast<std::byte>((index >> (24 - 8 * i)) & 0xff);
  }
  nonce_[kGcmNonceSize - 1] = static_cast<std::byte>(flag);
}

void SegmentCipher::seal_segment(std::uint64_t index, bool last, ByteSpan plaintext,
                                 MutableByteSpan sealed) {
  if (index >= kMaxSegments) {
    throw Error(ErrorCode::InvalidArgument, "an object holds fewer than 2^32 - 1 segments");
  }
  set_nonce(index, last ? kLastFlag : kMiddleFlag);
  gcm_.seal(ByteSpan(nonce_), aad_, plaintext, sealed);
}

bool SegmentCipher::open_segment(std::uint64_t index, bool last, ByteSpan sealed,
                                 MutableByteSpan plaintext) {
  if (index >= kMaxSegments) return false;
  set_nonce(index, last ? kLastFlag : kMiddleFlag);
  return gcm_.open(ByteSpan(nonce_), aad_, sealed, plaintext);
}

void SegmentCipher::seal_header(ByteSpan plaintext, MutableByteSpan sealed) {
  set_nonce(kMaxSegments, kHeaderFlag);
  gcm_.seal(ByteSpan(nonce_), aad_, plaintext, sealed);
}

bool SegmentCipher::open_header(ByteSpan sealed, MutableByteSpan plaintext) {
  set_nonce(kMaxSegments, kHeaderFlag);
  return gcm_.open(ByteSpan(nonce_), aad_, sealed, plaintext);
}

}  // namespace ndbucket::crypto
