#include "ndbucket/crypto/key_wrap.hpp"

#include "crypto/openssl_util.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/crypto/aes_gcm.hpp"

namespace ndbucket::crypto {

namespace {

constexpr std::size_t kSemiblock = 8;

void check_kek(ByteSpan kek) {
  if (kek.size() != kAes256KeySize) {
    throw Error(ErrorCode::InvalidArgument,
                "an AES key-wrap key must be 32 bytes, not " + std::to_string(kek.size()));
  }
}

// Runs AES-256-WRAP (RFC 3394 with its default IV) one way; false when OpenSSL refuses, which
// for unwrapping means the integrity check failed.
bool run_wrap(bool encrypt, ByteSpan kek, ByteSpan in, MutableByteSpan out) {
  detail::CipherPtr cipher = detail::fetch_cipher("AES-256-WRAP");
  detail::CipherCtxPtr ctx = detail::new_cipher_ctx();
  auto* key = reinterpret_cast<const unsigned char*>(kek.data());
  if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), key, nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    detail::throw_openssl(ErrorCode::Unsupported, "could not set up AES key wrap");
  }
  int written = 0;
  int final_written = 0;
  unsigned char final_out[kSemiblock * 4];  // the wrap modes write nothing at the end
  bool ok = EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &written,
                             reinterpret_cast<const unsigned char*>(in.data()),
                             detail::checked_int(in.size(), "key data")) == 1 &&
            static_cast<std::size_t>(written) == out.size() &&
            EVP_CipherFinal_ex(ctx.get(), final_out, &final_written) == 1 && final_written == 0;
  if (!ok) detail::clear_openssl_errors();
  return ok;
}

}  // namespace

Bytes aes_key_wrap(ByteSpan kek, ByteSpan key_data) {
  check_kek(kek);
  if (key_data.size() < 2 * kSemiblock || key_data.size() % kSemiblock != 0) {
    throw Error(ErrorCode::InvalidArgument,
                "AES key wrap takes a multiple of 8 bytes, at least 16, not " +
                    std::to_string(key_data.size()));
  }
  Bytes wrapped(key_data.size() + kSemiblock);
  if (!run_wrap(true, kek, key_data, wrapped)) {
    throw Error(ErrorCode::InvalidArgument, "AES key wrap failed");
  }
  return wrapped;
}

std::optional<SecretBytes> aes_key_unwrap(ByteSpan kek, ByteSpan wrapped) {
  check_kek(kek);
  if (wrapped.size() < 3 * kSemiblock || wrapped.size() % kSemiblock != 0) return std::nullopt;
  SecretBytes key(wrapped.size() - kSemiblock);
  if (!run_wrap(false, kek, wrapped, key.mutable_span())) return std::nullopt;
  return key;
}

}  // namespace ndbucket::crypto
