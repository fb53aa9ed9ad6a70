// AES-256-GCM, the AEAD every encrypted segment and sealed header uses (NIST SP 800-38D).
#pragma once

#include <cstddef>
#include <memory>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket::crypto {

inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;  // 96-bit nonces only: no GHASH of the IV
inline constexpr std::size_t kGcmTagSize = 16;    // full 128-bit tags only

// One AES-256 key ready for GCM. The key schedule is computed once; each seal/open only sets the
// nonce, so sealing many small segments costs little more than the AES work itself.
// Thread safety: NOT thread-safe (it holds OpenSSL cipher contexts); use one per thread.
class Aes256Gcm {
 public:
  // Errors: InvalidArgument unless key.size() == kAes256KeySize; Unsupported when OpenSSL has no
  // AES-256-GCM.
  explicit Aes256Gcm(ByteSpan key);
  ~Aes256Gcm();
  Aes256Gcm(Aes256Gcm&&) noexcept;
  Aes256Gcm& operator=(Aes256Gcm&&) noexcept;

  // Encrypts `plaintext` and writes ciphertext || 16-byte tag to `sealed`, which must hold
  // exactly plaintext.size() + kGcmTagSize bytes and may start at plaintext.data() (in place).
  // `aad` is authenticated, not encrypted. Errors: InvalidArgument for wrong sizes.
  void seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext, MutableByteSpan sealed);

  // Decrypts ciphertext || tag from `sealed` into `plaintext` (exactly sealed.size() - 16 bytes;
  // it may start at sealed.data()). Returns false when the tag does not verify: then `plaintext`
  // holds unauthenticated bytes that the caller must discard. Errors: InvalidArgument for wrong
  // sizes.
  [[nodiscard]] bool open(ByteSpan nonce, ByteSpan aad, ByteSpan sealed, MutableByteSpan plaintext);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace ndbucket::crypto
