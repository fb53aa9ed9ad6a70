// The encrypted-object format of EncryptedStore, version 1 (docs/encryption.md): the envelope
// stored as the wrapped object's `ndbucket-encryption` metadata, the sealed header inside it, the
// segment layout of the body and the size arithmetic. Pure functions over bytes, so fuzz targets
// call them in one line:
//   ndbucket::encryption::parse_envelope({data, size});
//   ndbucket::encryption::decode_body(key32, envelope, "k", {data, size});
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/crypto/keys.hpp"
#include "ndbucket/crypto/segment_cipher.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket::encryption {

// The wrapped object's metadata name holding base64(encode_envelope(...)).
inline constexpr std::string_view kEnvelopeMetadataName = "ndbucket-encryption";
inline constexpr std::uint8_t kFormatVersion = 1;
inline constexpr std::size_t kSegmentTagSize = crypto::kGcmTagSize;
inline constexpr std::uint8_t kMinSegmentLog2 = 12;      // 4 KiB
inline constexpr std::uint8_t kMaxSegmentLog2 = 24;      // 16 MiB
inline constexpr std::uint8_t kDefaultSegmentLog2 = 16;  // 64 KiB

struct Envelope {
  std::uint8_t segment_log2 = kDefaultSegmentLog2;
  crypto::WrapAlgorithm algorithm = crypto::WrapAlgorithm::AesKeyWrap;
  std::string key_id;
  Bytes wrapped_key;
  std::array<std::byte, crypto::kNoncePrefixSize> nonce_prefix{};
  Bytes sealed_header;

  std::uint64_t segment_size() const noexcept { return std::uint64_t{1} << segment_log2; }
};

// What the sealed header holds: everything about the object that is not its body.
struct SealedHeader {
  std::uint64_t size = 0;  // plaintext size
  std::string content_type;
  Metadata metadata;
};

// Binary envelope <-> struct. encode: InvalidArgument for fields out of range. parse: Corrupt for
// anything but an exact, well-formed version-1 envelope. Thread safety: pure.
Bytes encode_envelope(const Envelope& envelope);
Envelope parse_envelope(ByteSpan bytes);

// Sealed-header plaintext <-> struct (names must be unique; parse requires ascending order).
// Errors: as above. Thread safety: pure.
Bytes encode_sealed_header(const SealedHeader& header);
SealedHeader parse_sealed_header(ByteSpan bytes);

// Size arithmetic (docs/encryption.md, "Segments and sizes"). Thread safety: pure.
std::uint64_t segment_count(std::uint64_t plaintext_size, std::uint64_t segment_size) noexcept;
std::uint64_t ciphertext_size(std::uint64_t plaintext_size, std::uint64_t segment_size) noexcept;
// nullopt for a ciphertext size no object with this segment size can have.
std::optional<std::uint64_t> plaintext_size(std::uint64_t ciphertext_size,
                                            std::uint64_t segment_size) noexcept;

// The cipher of one object: its data key, the envelope's nonce prefix and segment size, and the
// object's key as AAD. Errors: InvalidArgument for a data key that is not 32 bytes.
crypto::SegmentCipher object_cipher(ByteSpan data_key, const Envelope& envelope,
                                    std::string_view key);

// Opens and parses the envelope's sealed header. Errors: Corrupt (naming `what`).
SealedHeader open_sealed_header(crypto::SegmentCipher& cipher, const Envelope& envelope,
                                std::string_view what);

// Throws Corrupt (naming `what`) unless a body of `body_size` bytes is exactly what `header`
// and `envelope` call for. Thread safety: pure.
void check_body_size(const SealedHeader& header, const Envelope& envelope, std::uint64_t body_size,
                     std::string_view what);

// Authenticates and decrypts, in place, the segments of an object of `plaintext_size` bytes that
// cover plaintext bytes [begin, end) (the segments from begin / S, the whole empty segment for an
// empty object), whose sealed bytes start at window[0]; then moves plaintext [begin, end) to
// `out`, which may alias window.data() (or start anywhere not after it). Errors: Corrupt (naming
// `what`) when a segment fails or the window is short; nothing unauthenticated reaches `out`.
void open_segments(crypto::SegmentCipher& cipher, std::uint64_t segment_size,
                   std::uint64_t plaintext_size, MutableByteSpan window, std::uint64_t begin,
                   std::uint64_t end, std::byte* out, std::string_view what);

// Seals `plaintext` as a whole body (segments in order) into `body`, which must hold
// ciphertext_size(plaintext.size(), S) bytes. Errors: InvalidArgument for sizes.
void seal_body(crypto::SegmentCipher& cipher, std::uint64_t segment_size, ByteSpan plaintext,
               MutableByteSpan body);

// A whole body decoded: opens the sealed header, checks the body's size against it, and returns
// the plaintext. Errors: Corrupt for anything that does not authenticate.
Bytes decode_body(ByteSpan data_key, const Envelope& envelope, std::string_view key, ByteSpan body);

}  // namespace ndbucket::encryption
