#include "ndbucket/crypto/keys.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "crypto/openssl_util.hpp"
#include "ndbucket/core/base64.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/crypto/aes_gcm.hpp"
#include "ndbucket/crypto/key_wrap.hpp"

namespace ndbucket::crypto {

namespace {

constexpr std::size_t kDataKeySize = kAes256KeySize;

std::string short_hex_id(std::string_view kind, ByteSpan digest) {
  return std::string(kind) + "-" + hex_encode(digest.first(8));
}

std::string check_id(std::string id) {
  if (id.size() > kMaxKeyIdSize) {
    throw Error(ErrorCode::InvalidArgument,
                "a key id is at most 255 bytes, not " + std::to_string(id.size()));
  }
  return id;
}

void check_data_key(ByteSpan data_key) {
  if (data_key.size() != kDataKeySize) {
    throw Error(ErrorCode::InvalidArgument, "data keys are 32 bytes");
  }
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex digits or 44 base64 characters holding 32 bytes; nullopt otherwise.
std::optional<SecretBytes> parse_key_text(std::string_view text) {
  text = trim(text);
  if (text.size() == 2 * kAes256KeySize) {
    SecretBytes key(kAes256KeySize);
    for (std::size_t i = 0; i < kAes256KeySize; ++i) {
      int high = hex_value(text[2 * i]);
      int low = hex_value(text[2 * i + 1]);
      if (high < 0 || low < 0) return std::nullopt;
      key.mutable_span()[i] = static_cast<std::byte>(high * 16 + low);
    }
    return key;
  }
  std::optional<Bytes> decoded = base64_decode(text);
  if (!decoded || decoded->size() != kAes256KeySize) return std::nullopt;
  SecretBytes key(*decoded);
  std::fill(decoded->begin(), decoded->end(), std::byte{0});
  return key;
}

std::string read_key_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    bool exists = std::filesystem::exists(path, ec);
    throw Error(exists ? ErrorCode::Io : ErrorCode::NotFound,
                "could not read the key file " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_env(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr) {
    throw Error(ErrorCode::NotFound, "the environment variable " + variable + " is not set");
  }
  return value;
}

class AesMasterKey final : public KeyEncryptionKey {
 public:
  AesMasterKey(SecretBytes key, std::string id)
      : KeyEncryptionKey(std::move(id)), key_(std::move(key)) {}

  WrapAlgorithm algorithm() const noexcept override { return WrapAlgorithm::AesKeyWrap; }
  bool can_unwrap() const noexcept override { return true; }

  Bytes wrap(ByteSpan data_key) const override {
    check_data_key(data_key);
    return aes_key_wrap(key_.span(), data_key);
  }

  SecretBytes unwrap(ByteSpan wrapped) const override {
    std::optional<SecretBytes> key = aes_key_unwrap(key_.span(), wrapped);
    if (!key || key->size() != kDataKeySize) {
      throw Error(ErrorCode::Corrupt, "the wrapped data key does not verify under master key '" +
                                          id() + "' (altered, or another key with this id)");
    }
    return std::move(*key);
  }

 private:
  SecretBytes key_;
};

class RsaWrapKey final : public KeyEncryptionKey {
 public:
  RsaWrapKey(RsaKey key, std::string id) : KeyEncryptionKey(std::move(id)), key_(std::move(key)) {}

  WrapAlgorithm algorithm() const noexcept override { return WrapAlgorithm::RsaOaepSha256; }
  bool can_unwrap() const noexcept override { return key_.has_private_key(); }

  Bytes wrap(ByteSpan data_key) const override {
    check_data_key(data_key);
    return key_.encrypt(data_key);
  }

  SecretBytes unwrap(ByteSpan wrapped) const override {
    if (!key_.has_private_key()) {
      throw Error(ErrorCode::PermissionDenied,
                  "RSA key '" + id() + "' is public only: it can write but not read");
    }
    std::optional<SecretBytes> key = key_.decrypt(wrapped);
    if (!key || key->size() != kDataKeySize) {
      throw Error(ErrorCode::Corrupt, "the wrapped data key does not decrypt under RSA key '" +
                                          id() + "' (altered, or another key with this id)");
    }
    return std::move(*key);
  }

 private:
  RsaKey key_;
};

}  // namespace

KeyEncryptionKey::KeyEncryptionKey(std::string id) : id_(std::move(id)) {}

KeyPtr master_key(SecretBytes key, std::string id) {
  if (key.size() != kAes256KeySize) {
    throw Error(ErrorCode::InvalidArgument,
                "a master key must be 32 bytes, not " + std::to_string(key.size()));
  }
  if (id.empty()) {
    // The label keeps this digest distinct from any other use of SHA-256 over the key.
    constexpr std::string_view kLabel = "ndbucket master key id v1";
    std::array<std::byte, 32> digest{};
    unsigned int size = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
              EVP_DigestUpdate(ctx, kLabel.data(), kLabel.size()) == 1 &&
              EVP_DigestUpdate(ctx, key.span().data(), key.size()) == 1 &&
              EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(digest.data()), &size) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) detail::throw_openssl(ErrorCode::Unavailable, "could not hash the master key");
    id = short_hex_id("aes", digest);
  }
  return std::make_shared<AesMasterKey>(std::move(key), check_id(std::move(id)));
}

KeyPtr master_key_from_file(const std::filesystem::path& path, std::string id) {
  std::string text = read_key_file(path);
  std::optional<SecretBytes> key;
  if (text.size() == kAes256KeySize) {
    key = SecretBytes(as_bytes(text));
  } else {
    key = parse_key_text(text);
  }
  std::fill(text.begin(), text.end(), '\0');
  if (!key) {
    throw Error(ErrorCode::InvalidArgument,
                "the key file " + path.string() +
                    " must hold 32 raw bytes, 64 hex digits or 44 base64 characters");
  }
  return master_key(std::move(*key), std::move(id));
}

KeyPtr master_key_from_env(const std::string& variable, std::string id) {
  std::optional<SecretBytes> key = parse_key_text(read_env(variable));
  if (!key) {
    throw Error(ErrorCode::InvalidArgument, "the environment variable " + variable +
                                                " must hold 64 hex digits or 44 base64 characters");
  }
  return master_key(std::move(*key), std::move(id));
}

SecretBytes generate_master_key() { return random_secret(kAes256KeySize); }

KeyPtr rsa_key(RsaKey key, std::string id) {
  if (id.empty()) id = short_hex_id("rsa", key.public_fingerprint());
  return std::make_shared<RsaWrapKey>(std::move(key), check_id(std::move(id)));
}

KeyPtr rsa_key_from_pem(std::string_view pem, std::string id) {
  return rsa_key(RsaKey::from_pem(pem), std::move(id));
}

KeyPtr rsa_key_from_file(const std::filesystem::path& path, std::string id) {
  try {
    return rsa_key_from_pem(read_key_file(path), std::move(id));
  } catch (const Error& error) {
    if (error.code() != ErrorCode::InvalidArgument) throw;
    throw Error(ErrorCode::InvalidArgument,
                "the key file " + path.string() + ": " + error.message());
  }
}

KeyPtr rsa_key_from_env(const std::string& variable, std::string id) {
  try {
    return rsa_key_from_pem(read_env(variable), std::move(id));
  } catch (const Error& error) {
    if (error.code() != ErrorCode::InvalidArgument) throw;
    throw Error(ErrorCode::InvalidArgument,
                "the environment variable " + variable + ": " + error.message());
  }
}

std::string hex_encode(ByteSpan bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string text;
  text.reserve(2 * bytes.size());
  for (std::byte b : bytes) {
    text += kDigits[static_cast<unsigned>(b) >> 4];
    text += kDigits[static_cast<unsigned>(b) & 0xf];
  }
  return text;
}

}  // namespace ndbucket::crypto
