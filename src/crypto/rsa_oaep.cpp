#include "ndbucket/crypto/rsa_oaep.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/openssl_util.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket::crypto {

namespace {

constexpr unsigned kMinBits = 2048;
constexpr unsigned kMaxBits = 16384;

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const noexcept { EVP_PKEY_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// An OAEP-SHA-256 context for `pkey`, initialised for encryption or decryption.
PkeyCtxPtr oaep_context(EVP_PKEY* pkey, bool encrypt) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx ||
      (encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx.get(), "SHA256", nullptr) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx.get(), "SHA256", nullptr) != 1) {
    detail::throw_openssl(ErrorCode::Unsupported, "could not set up RSA-OAEP-SHA-256");
  }
  return ctx;
}

}  // namespace

struct RsaKey::Pkey {
  EVP_PKEY* pkey = nullptr;
  explicit Pkey(EVP_PKEY* key) : pkey(key) {}
  ~Pkey() { EVP_PKEY_free(pkey); }
  Pkey(const Pkey&) = delete;
  Pkey& operator=(const Pkey&) = delete;
};

RsaKey::RsaKey(std::unique_ptr<Pkey> key, bool has_private)
    : key_(std::move(key)), has_private_(has_private) {}
RsaKey::~RsaKey() = default;
RsaKey::RsaKey(RsaKey&&) noexcept = default;
RsaKey& RsaKey::operator=(RsaKey&&) noexcept = default;

RsaKey RsaKey::from_pem(std::string_view pem) {
  bool is_private = pem.find("PRIVATE KEY-----") != std::string_view::npos;
  BioPtr bio(BIO_new_mem_buf(pem.data(), detail::checked_int(pem.size(), "PEM text")));
  if (!bio) detail::throw_openssl(ErrorCode::Unavailable, "could not read the PEM text");
  // An empty passphrase callback: an encrypted private key fails instead of prompting.
  auto no_passphrase = [](char*, int, int, void*) { return 0; };
  EVP_PKEY* raw = nullptr;
  if (is_private) {
    raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  } else {
    raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr);
  }
  if (raw == nullptr) {
    detail::clear_openssl_errors();
    throw Error(ErrorCode::InvalidArgument,
                "the text is not an unencrypted PEM RSA public or private key");
  }
  auto key = std::make_unique<Pkey>(raw);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_RSA) {
    throw Error(ErrorCode::InvalidArgument, "the PEM key is not an RSA key");
  }
  if (EVP_PKEY_get_bits(raw) < static_cast<int>(kMinBits)) {
    throw Error(ErrorCode::InvalidArgument, "RSA keys under 2048 bits are refused (this one has " +
                                                std::to_string(EVP_PKEY_get_bits(raw)) + ")");
  }
  return RsaKey(std::move(key), is_private);
}

RsaKey RsaKey::generate(unsigned bits) {
  if (bits < kMinBits || bits > kMaxBits) {
    throw Error(ErrorCode::InvalidArgument,
                "RSA keys are 2048 to 16384 bits, not " + std::to_string(bits));
  }
  EVP_PKEY* raw = EVP_RSA_gen(bits);
  if (raw == nullptr) detail::throw_openssl(ErrorCode::Unavailable, "RSA key generation failed");
  return RsaKey(std::make_unique<Pkey>(raw), true);
}

unsigned RsaKey::bits() const { return static_cast<unsigned>(EVP_PKEY_get_bits(key_->pkey)); }

std::string RsaKey::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_->pkey) != 1) {
    detail::throw_openssl(ErrorCode::Unavailable, "could not write the public key");
  }
  return bio_text(bio.get());
}

std::string RsaKey::private_pem() const {
  if (!has_private_) throw Error(ErrorCode::InvalidArgument, "this RSA key has no private half");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_->pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    detail::throw_openssl(ErrorCode::Unavailable, "could not write the private key");
  }
  return bio_text(bio.get());
}

Bytes RsaKey::public_fingerprint() const {
  unsigned char* der = nullptr;
  int size = i2d_PUBKEY(key_->pkey, &der);
  if (size <= 0) detail::throw_openssl(ErrorCode::Unavailable, "could not encode the public key");
  Bytes digest(32);
  unsigned int digest_size = 0;
  bool ok = EVP_Digest(der, static_cast<std::size_t>(size),
                       reinterpret_cast<unsigned char*>(digest.data()), &digest_size, EVP_sha256(),
                       nullptr) == 1;
  OPENSSL_free(der);
  if (!ok) detail::throw_openssl(ErrorCode::Unavailable, "could not hash the public key");
  return digest;
}

Bytes RsaKey::encrypt(ByteSpan message) const {
  PkeyCtxPtr ctx = oaep_context(key_->pkey, true);
  std::size_t size = 0;
  auto* in = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &size, in, message.size()) != 1) {
    detail::throw_openssl(ErrorCode::InvalidArgument, "RSA-OAEP cannot encrypt this message");
  }
  Bytes out(size);
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &size, in,
                       message.size()) != 1) {
    detail::throw_openssl(ErrorCode::InvalidArgument, "RSA-OAEP encryption failed");
  }
  out.resize(size);
  return out;
}

std::optional<SecretBytes> RsaKey::decrypt(ByteSpan ciphertext) const {
  if (!has_private_) {
    throw Error(ErrorCode::PermissionDenied,
                "this RSA key is public only: it can wrap data keys but not unwrap them");
  }
  PkeyCtxPtr ctx = oaep_context(key_->pkey, false);
  std::size_t size = 0;
  auto* in = reinterpret_cast<const unsigned char*>(ciphertext.data());
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &size, in, ciphertext.size()) != 1) {
    detail::clear_openssl_errors();
    return std::nullopt;
  }
  SecretBytes out(size);
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.mutable_span().data()),
                       &size, in, ciphertext.size()) != 1) {
    detail::clear_openssl_errors();
    return std::nullopt;
  }
  SecretBytes exact(out.span().first(size));
  return exact;
}

}  // namespace ndbucket::crypto
