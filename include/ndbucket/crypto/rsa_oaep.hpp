// RSA-OAEP with SHA-256 (and MGF1-SHA-256): wraps data keys for producers that hold only a public
// key, so they can write encrypted objects but never read them back.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/crypto/secret_bytes.hpp"

namespace ndbucket::crypto {

// An RSA public key, or a private key (which includes its public half), parsed from PEM.
// Thread safety: immutable after construction; every method may be called concurrently.
class RsaKey {
 public:
  // Accepts "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo), "BEGIN PRIVATE KEY" (PKCS#8,
  // unencrypted) and "BEGIN RSA PRIVATE KEY" (PKCS#1), as `openssl genpkey`/`pkey` write. Errors:
  // InvalidArgument for anything else, a non-RSA key or a modulus under 2048 bits.
  static RsaKey from_pem(std::string_view pem);

  // A new key pair of `bits` (2048..16384). Errors: InvalidArgument, Unavailable.
  static RsaKey generate(unsigned bits = 3072);

  ~RsaKey();
  RsaKey(RsaKey&&) noexcept;
  RsaKey& operator=(RsaKey&&) noexcept;

  bool has_private_key() const noexcept { return has_private_; }
  unsigned bits() const;
  // The public key as "BEGIN PUBLIC KEY" PEM, and the private key as unencrypted PKCS#8 PEM
  // (InvalidArgument for a public-only key).
  std::string public_pem() const;
  std::string private_pem() const;
  // SHA-256 of the DER SubjectPublicKeyInfo: names the key without revealing anything.
  Bytes public_fingerprint() const;

  // OAEP-SHA-256 encryption of `message` (at most bits/8 - 66 bytes). Errors: InvalidArgument.
  Bytes encrypt(ByteSpan message) const;
  // Decryption; nullopt when the ciphertext does not decode (wrong key or altered bytes).
  // Errors: PermissionDenied for a public-only key.
  std::optional<SecretBytes> decrypt(ByteSpan ciphertext) const;

 private:
  struct Pkey;
  RsaKey(std::unique_ptr<Pkey> key, bool has_private);
  std::unique_ptr<Pkey> key_;
  bool has_private_ = false;
};

}  // namespace ndbucket::crypto
