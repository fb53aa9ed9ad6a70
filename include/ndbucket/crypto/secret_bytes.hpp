// SecretBytes: key material that is wiped from memory when it goes away.
#pragma once

#include <cstddef>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket::crypto {

// An owning byte buffer for keys. The bytes are overwritten (OPENSSL_cleanse, which the compiler
// cannot optimise away) when the buffer is destroyed or assigned over. Copies are explicit so key
// material does not spread by accident. Thread safety: as a std::vector.
class SecretBytes {
 public:
  SecretBytes() = default;
  // `size` zero bytes.
  explicit SecretBytes(std::size_t size);
  // A copy of `bytes`.
  explicit SecretBytes(ByteSpan bytes);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  // An explicit copy.
  SecretBytes clone() const { return SecretBytes(span()); }

  ByteSpan span() const noexcept { return {data_, size_}; }
  MutableByteSpan mutable_span() noexcept { return {data_, size_}; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  void wipe() noexcept;

  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

// Whether two byte strings are equal, in time that depends only on their lengths.
// Thread safety: pure.
bool constant_time_equal(ByteSpan a, ByteSpan b) noexcept;

// `size` bytes from OpenSSL's CSPRNG. Errors: Unavailable when the generator fails.
// Thread safety: safe.
void random_fill(MutableByteSpan out);
SecretBytes random_secret(std::size_t size);

}  // namespace ndbucket::crypto
