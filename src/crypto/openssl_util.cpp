#include "crypto/openssl_util.hpp"

#include <openssl/err.h>

#include <climits>

#include "ndbucket/core/error.hpp"

namespace ndbucket::crypto::detail {

CipherPtr fetch_cipher(const char* name) {
  CipherPtr cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  if (!cipher) {
    throw_openssl(ErrorCode::Unsupported, std::string("OpenSSL provides no ") + name);
  }
  return cipher;
}

CipherCtxPtr new_cipher_ctx() {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    throw_openssl(ErrorCode::Unavailable, "could not allocate a cipher context");
  }
  return ctx;
}

void throw_openssl(ErrorCode code, const std::string& what) {
  unsigned long error = ERR_get_error();
  std::string message = what;
  if (error != 0) {
    char reason[256];
    ERR_error_string_n(error, reason, sizeof reason);
    message += " (" + std::string(reason) + ")";
  }
  ERR_clear_error();
  throw Error(code, message);
}

void clear_openssl_errors() noexcept { ERR_clear_error(); }

int checked_int(std::size_t size, std::string_view what) {
  if (size > static_cast<std::size_t>(INT_MAX)) {
    throw Error(ErrorCode::InvalidArgument,
                std::string(what) + " of " + std::to_string(size) + " bytes is too large");
  }
  return static_cast<int>(size);
}

}  // namespace ndbucket::crypto::detail
