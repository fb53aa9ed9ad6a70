// Key-encryption keys ("master keys"): what wraps each object's random data key, and where they
// come from (a file, an environment variable, memory).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/crypto/rsa_oaep.hpp"
#include "ndbucket/crypto/secret_bytes.hpp"

namespace ndbucket::crypto {

// How a data key is wrapped; the value is stored in each encrypted object's header.
enum class WrapAlgorithm : std::uint8_t {
  AesKeyWrap = 1,     // RFC 3394 under a 256-bit master key
  RsaOaepSha256 = 2,  // RSA-OAEP, SHA-256 and MGF1-SHA-256
};

// Longest key id (it is stored with a one-byte length).
inline constexpr std::size_t kMaxKeyIdSize = 255;

// A key that wraps and unwraps 32-byte data keys. Its id is written next to every wrapped key so
// a reader holding several keys (during a rotation) picks the right one, and a reader holding the
// wrong key gets PermissionDenied instead of garbage.
// Thread safety: immutable; every method may be called concurrently.
class KeyEncryptionKey {
 public:
  virtual ~KeyEncryptionKey() = default;

  virtual WrapAlgorithm algorithm() const noexcept = 0;
  const std::string& id() const noexcept { return id_; }

  // Wraps a data key. Errors: InvalidArgument for a data key of the wrong size.
  virtual Bytes wrap(ByteSpan data_key) const = 0;
  // Whether unwrap can work (false for an RSA public key: a write-only producer).
  virtual bool can_unwrap() const noexcept = 0;
  // Unwraps a data key. Errors: PermissionDenied when this key cannot unwrap (public key only);
  // Corrupt when the wrapped bytes do not verify (altered, or a different key under the same id).
  virtual SecretBytes unwrap(ByteSpan wrapped) const = 0;

 protected:
  explicit KeyEncryptionKey(std::string id);

 private:
  std::string id_;
};

using KeyPtr = std::shared_ptr<const KeyEncryptionKey>;

// --- AES-256 master keys (AES Key Wrap). ---
// `id` empty: "aes-" + 16 hex digits of SHA-256 over a fixed label and the key, so the same key
// always gets the same id and the id reveals nothing about the key.
// Errors: InvalidArgument for a key that is not 32 bytes or an id longer than kMaxKeyIdSize.

KeyPtr master_key(SecretBytes key, std::string id = {});
// The file holds the key as 32 raw bytes, 64 hex digits or 44 base64 characters (surrounding
// whitespace ignored). Errors: NotFound/Io reading it; InvalidArgument for any other content
// (the message never shows the content).
KeyPtr master_key_from_file(const std::filesystem::path& path, std::string id = {});
// The variable holds 64 hex digits or 44 base64 characters. Errors: NotFound when it is unset,
// InvalidArgument otherwise as above.
KeyPtr master_key_from_env(const std::string& variable, std::string id = {});
// A new random master key (32 bytes from the CSPRNG), e.g. to write with hex_encode to a file.
SecretBytes generate_master_key();

// --- RSA keys (RSA-OAEP-SHA-256). ---
// A public key wraps only (can_unwrap() is false); a private key wraps and unwraps. `id` empty:
// "rsa-" + 16 hex digits of the public key's SHA-256 fingerprint, the same for both halves.
// Errors: InvalidArgument for a PEM that is not an RSA key of at least 2048 bits.

KeyPtr rsa_key(RsaKey key, std::string id = {});
KeyPtr rsa_key_from_pem(std::string_view pem, std::string id = {});
KeyPtr rsa_key_from_file(const std::filesystem::path& path, std::string id = {});
// The variable holds the PEM text. Errors: NotFound when it is unset.
KeyPtr rsa_key_from_env(const std::string& variable, std::string id = {});

// --- Text forms of key material. Thread safety: pure. ---

std::string hex_encode(ByteSpan bytes);

}  // namespace ndbucket::crypto
