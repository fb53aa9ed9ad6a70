// SegmentCipher: AES-256-GCM over the numbered segments of one object, with nonces derived from a
// per-object prefix, the segment index and a last-segment flag (the STREAM construction of Hoang,
// Reyhanitabar, Rogaway and Vizar), plus one extra sealed record (the object's header) in its own
// nonce domain. The byte layout is documented in docs/encryption.md.
#pragma once

#include <cstdint>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/crypto/aes_gcm.hpp"

namespace ndbucket::crypto {

inline constexpr std::size_t kNoncePrefixSize = 7;
// Segment indices are 32-bit; this one is never a segment (it sits in the header's nonce).
inline constexpr std::uint64_t kMaxSegments = 0xffffffffu;

// Thread safety: NOT thread-safe (one Aes256Gcm inside); make one per operation or thread.
class SegmentCipher {
 public:
  // `data_key`: 32 bytes; `nonce_prefix`: kNoncePrefixSize bytes; `aad`: bound to every segment
  // and to the header (the object's identity). Errors: InvalidArgument for wrong sizes.
  SegmentCipher(ByteSpan data_key, ByteSpan nonce_prefix, Bytes aad);

  // Seals segment `index` (`last` when it ends the object) into `sealed` (plaintext + 16 bytes;
  // may start at plaintext.data()). Errors: InvalidArgument for sizes or index >= kMaxSegments.
  void seal_segment(std::uint64_t index, bool last, ByteSpan plaintext, MutableByteSpan sealed);
  // Opens it into `plaintext` (sealed - 16 bytes; may start at sealed.data()); false when it does
  // not authenticate as segment `index` with this `last` flag.
  [[nodiscard]] bool open_segment(std::uint64_t index, bool last, ByteSpan sealed,
                                  MutableByteSpan plaintext);

  void seal_header(ByteSpan plaintext, MutableByteSpan sealed);
  [[nodiscard]] bool open_header(ByteSpan sealed, MutableByteSpan plaintext);

 private:
  void set_nonce(std::uint64_t index, std::uint8_t flag);

  Aes256Gcm gcm_;
  Bytes aad_;
  std::byte nonce_[kGcmNonceSize] = {};
};

}  // namespace ndbucket::crypto
