#include "ndbucket/crypto/aes_gcm.hpp"

#include <cstring>

#include "crypto/openssl_util.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket::crypto {

namespace {

const unsigned char* in_ptr(ByteSpan bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}
unsigned char* out_ptr(MutableByteSpan bytes) {
  return reinterpret_cast<unsigned char*>(bytes.data());
}

void check_nonce(ByteSpan nonce) {
  if (nonce.size() != kGcmNonceSize) {
    throw Error(ErrorCode::InvalidArgument,
                "an AES-GCM nonce must be 12 bytes, not " + std::to_string(nonce.size()));
  }
}

// Feeds AAD and data through EVP_CipherUpdate in int-sized steps.
void update(EVP_CIPHER_CTX* ctx, ByteSpan aad, ByteSpan in, MutableByteSpan out) {
  constexpr std::size_t kStep = std::size_t{1} << 30;
  int written = 0;
  for (std::size_t done = 0; done < aad.size(); done += kStep) {
    ByteSpan part = aad.subspan(done, std::min(kStep, aad.size() - done));
    if (EVP_CipherUpdate(ctx, nullptr, &written, in_ptr(part), static_cast<int>(part.size())) !=
        1) {
      detail::throw_openssl(ErrorCode::InvalidArgument, "AES-GCM could not take the AAD");
    }
  }
  for (std::size_t done = 0; done < in.size(); done += kStep) {
    std::size_t length = std::min(kStep, in.size() - done);
    if (EVP_CipherUpdate(ctx, out_ptr(out.subspan(done, length)), &written,
                         in_ptr(in.subspan(done, length)), static_cast<int>(length)) != 1 ||
        static_cast<std::size_t>(written) != length) {
      detail::throw_openssl(ErrorCode::InvalidArgument, "AES-GCM could not process the data");
    }
  }
}

}  // namespace

// One context per direction: re-initialising a context with only a new IV keeps its key schedule
// (and GHASH tables), but only while the direction stays the same.
struct Aes256Gcm::Contexts {
  detail::CipherCtxPtr seal;
  detail::CipherCtxPtr open;
};

Aes256Gcm::Aes256Gcm(ByteSpan key) : contexts_(std::make_unique<Contexts>()) {
  if (key.size() != kAes256KeySize) {
    throw Error(ErrorCode::InvalidArgument,
                "an AES-256 key must be 32 bytes, not " + std::to_string(key.size()));
  }
  detail::CipherPtr cipher = detail::fetch_cipher("AES-256-GCM");
  contexts_->seal = detail::new_cipher_ctx();
  contexts_->open = detail::new_cipher_ctx();
  if (EVP_EncryptInit_ex2(contexts_->seal.get(), cipher.get(), in_ptr(key), nullptr, nullptr) !=
          1 ||
      EVP_DecryptInit_ex2(contexts_->open.get(), cipher.get(), in_ptr(key), nullptr, nullptr) !=
          1) {
    detail::throw_openssl(ErrorCode::Unsupported, "could not set up AES-256-GCM");
  }
}

Aes256Gcm::~Aes256Gcm() = default;
Aes256Gcm::Aes256Gcm(Aes256Gcm&&) noexcept = default;
Aes256Gcm& Aes256Gcm::operator=(Aes256Gcm&&) noexcept = default;

void Aes256Gcm::seal(ByteSpan nonce, ByteSpan aad, ByteSpan plaintext, MutableByteSpan sealed) {
  check_nonce(nonce);
  if (sealed.size() != plaintext.size() + kGcmTagSize) {
    throw Error(ErrorCode::InvalidArgument, "AES-GCM output must be the input plus 16 bytes");
  }
  EVP_CIPHER_CTX* ctx = contexts_->seal.get();
  if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, in_ptr(nonce), nullptr) != 1) {
    detail::throw_openssl(ErrorCode::InvalidArgument, "could not set the AES-GCM nonce");
  }
  update(ctx, aad, plaintext, sealed.first(plaintext.size()));
  int written = 0;
  MutableByteSpan tag = sealed.last(kGcmTagSize);
  if (EVP_EncryptFinal_ex(ctx, out_ptr(tag), &written) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kGcmTagSize), tag.data()) !=
          1) {
    detail::throw_openssl(ErrorCode::InvalidArgument, "AES-GCM could not finish");
  }
}

bool Aes256Gcm::open(ByteSpan nonce, ByteSpan aad, ByteSpan sealed, MutableByteSpan plaintext) {
  check_nonce(nonce);
  if (sealed.size() < kGcmTagSize || plaintext.size() != sealed.size() - kGcmTagSize) {
    throw Error(ErrorCode::InvalidArgument, "AES-GCM output must be the input less 16 bytes");
  }
  EVP_CIPHER_CTX* ctx = contexts_->open.get();
  if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, in_ptr(nonce), nullptr) != 1) {
    detail::throw_openssl(ErrorCode::InvalidArgument, "could not set the AES-GCM nonce");
  }
  // The tag is copied out first: with in-place decryption the caller's buffer is overwritten.
  unsigned char tag[kGcmTagSize];
  std::memcpy(tag, sealed.data() + plaintext.size(), kGcmTagSize);
  update(ctx, aad, sealed.first(plaintext.size()), plaintext);
  int written = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kGcmTagSize), tag) != 1) {
    detail::throw_openssl(ErrorCode::InvalidArgument, "could not set the AES-GCM tag");
  }
  if (EVP_DecryptFinal_ex(ctx, tag, &written) != 1) {
    detail::clear_openssl_errors();
    return false;
  }
  return true;
}

}  // namespace ndbucket::crypto
