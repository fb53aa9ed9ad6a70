// Small helpers shared by the OpenSSL wrappers of the crypto layer (internal).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "ndbucket/core/error.hpp"

namespace ndbucket::crypto::detail {

struct CipherFree {
  void operator()(EVP_CIPHER* cipher) const noexcept { EVP_CIPHER_free(cipher); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherPtr = std::unique_ptr<EVP_CIPHER, CipherFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// The provider's implementation of `name` ("AES-256-GCM"); fetched explicitly because the legacy
// EVP_aes_256_gcm() path looks the algorithm up again on every init. Errors: Unsupported.
CipherPtr fetch_cipher(const char* name);

// A new cipher context. Errors: Unavailable (out of memory).
CipherCtxPtr new_cipher_ctx();

// Throws ndbucket::Error(code, what + OpenSSL's last error reason), clearing OpenSSL's error
// queue so a later call does not report a stale reason.
[[noreturn]] void throw_openssl(ErrorCode code, const std::string& what);

// Drops whatever OpenSSL queued for a failure the caller handles itself (a bad tag).
void clear_openssl_errors() noexcept;

// An int length for OpenSSL, or InvalidArgument when `size` does not fit.
int checked_int(std::size_t size, std::string_view what);

}  // namespace ndbucket::crypto::detail
