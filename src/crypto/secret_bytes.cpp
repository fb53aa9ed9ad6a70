#include "ndbucket/crypto/secret_bytes.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>
#include <utility>

#include "crypto/openssl_util.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket::crypto {

SecretBytes::SecretBytes(std::size_t size)
    : data_(size == 0 ? nullptr : new std::byte[size]()), size_(size) {}

SecretBytes::SecretBytes(ByteSpan bytes) : SecretBytes(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { wipe(); }

void SecretBytes::wipe() noexcept {
  if (data_ != nullptr) {
    OPENSSL_cleanse(data_, size_);
    delete[] data_;
  }
  data_ = nullptr;
  size_ = 0;
}

bool constant_time_equal(ByteSpan a, ByteSpan b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void random_fill(MutableByteSpan out) {
  std::size_t done = 0;
  while (done < out.size()) {
    // RAND_bytes takes an int count.
    std::size_t step = std::min<std::size_t>(out.size() - done, 1 << 30);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data() + done), static_cast<int>(step)) !=
        1) {
      detail::throw_openssl(ErrorCode::Unavailable, "the random number generator failed");
    }
    done += step;
  }
}

SecretBytes random_secret(std::size_t size) {
  SecretBytes secret(size);
  random_fill(secret.mutable_span());
  return secret;
}

}  // namespace ndbucket::crypto
