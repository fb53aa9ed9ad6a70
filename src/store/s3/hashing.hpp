// Digests, MACs and encodings the S3 backend needs: SHA-256 for SigV4 payload hashes, HMAC-SHA256
// for SigV4 signing keys and signatures, MD5 for Content-MD5 headers and ETag checks, base64.
//
// This header is the S3 layer's only door to OpenSSL's hashing: callers never see an OpenSSL
// type. Everything goes through the EVP interfaces of OpenSSL 3, never the deprecated
// SHA256_*/MD5_*/HMAC_CTX_* functions.
//
// Errors: a digest the OpenSSL build does not provide (MD5 under a FIPS-only provider) raises
// ndbucket::Error(Unsupported); any other OpenSSL failure raises ndbucket::Error(Io); allocation
// failure raises std::bad_alloc. Nothing here ever puts key material in a message.
// Thread safety: every free function is pure and safe to call from any thread; a Sha256 or Md5
// object is used by one thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket::s3 {

inline constexpr std::size_t kSha256Size = 32;
inline constexpr std::size_t kMd5Size = 16;

using Sha256Digest = std::array<std::byte, kSha256Size>;
using Md5Digest = std::array<std::byte, kMd5Size>;

// Lower-case hexadecimal of `bytes` ("00ff..."), the form SigV4 and ETags use.
std::string to_hex(ByteSpan bytes);


// SHA-256 of `data`.
Sha256Digest sha256(ByteSpan data);
// Lower-case hex SHA-256 of `data`: the x-amz-content-sha256 value of a body.
std::string sha256_hex(ByteSpan data);
std::string sha256_hex(std::string_view text);

// HMAC-SHA256 (RFC 2104) of `data` under `key`; any key length is accepted.
Sha256Digest hmac_sha256(ByteSpan key, ByteSpan data);

// MD5 of `data`. Only for integrity checks S3 asks for (Content-MD5, single-part ETags), never
// for security.
Md5Digest md5(ByteSpan data);
// Base64 MD5 of `data`: the value of a Content-MD5 header.
std::string md5_base64(ByteSpan data);
// Lower-case hex MD5 of `data`: what a single-part upload's ETag holds (without its quotes).
std::string md5_hex(ByteSpan data);

// Overwrites `bytes` (or the characters of `text`) with zeros in a way the compiler may not
// elide, for buffers that held secret key material before they are freed.
void secure_wipe(MutableByteSpan bytes) noexcept;
void secure_wipe(std::string& text) noexcept;

namespace detail {
struct DigestContext;
struct DigestContextDeleter {
  void operator()(DigestContext* context) const noexcept;
};
using DigestContextPtr = std::unique_ptr<DigestContext, DigestContextDeleter>;
}  // namespace detail

// An incremental SHA-256, for bodies hashed while they stream (multipart parts, files read in
// blocks). update() any number of times, then finish() once; after finish(), or after being moved
// from, update() and finish() throw ndbucket::Error(InvalidArgument) until reset(). Movable, not
// copyable.
class Sha256 {
 public:
  Sha256();
  // Feeds the next bytes. Throws ndbucket::Error(InvalidArgument) after finish().
  void update(ByteSpan data);
  void update(std::string_view text) { update(as_bytes(text)); }
  // The digest of everything fed since construction or reset(). Throws
  // ndbucket::Error(InvalidArgument) when called twice.
  Sha256Digest finish();
  // finish() as lower-case hex.
  std::string finish_hex();
  // Starts over, as if newly constructed.
  void reset();

 private:
  detail::DigestContextPtr context_;
  bool finished_ = false;
};

// An incremental MD5 with the same contract as Sha256, for Content-MD5 of a streamed part.
class Md5 {
 public:
  Md5();
  void update(ByteSpan data);
  void update(std::string_view text) { update(as_bytes(text)); }
  Md5Digest finish();
  std::string finish_hex();
  std::string finish_base64();
  void reset();

 private:
  detail::DigestContextPtr context_;
  bool finished_ = false;
};

}  // namespace ndbucket::s3
