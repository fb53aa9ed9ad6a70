#include "hashing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <string_view>

#include "ndbucket/core/base64.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket::s3 {
namespace detail {

// The context; the algorithm it runs is shared (see digest_algorithm).
struct DigestContext {
  const EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
};

void DigestContextDeleter::operator()(DigestContext* context) const noexcept {
  EVP_MD_CTX_free(context->ctx);
  delete context;
}

}  // namespace detail

namespace {

[[noreturn]] void fail(const char* what) {
  throw Error(ErrorCode::Io, std::string("OpenSSL ") + what + " failed");
}

// Fetching explicitly (instead of the implicit EVP_sha256()/EVP_md5()) lets a missing MD5 under a
// FIPS provider surface as Unsupported when a digest is made, not as an opaque failure at the first
// update. Each algorithm is fetched once per process: a fetch is a provider lookup under a lock
// that costs more than hashing a request's few hundred bytes, and a fetched EVP_MD is immutable, so
// one is safely shared by every thread.
const EVP_MD* digest_algorithm(std::string_view name) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  const EVP_MD* md = name == "MD5" ? md5 : sha256;
  if (md == nullptr) {
    throw Error(ErrorCode::Unsupported,
                "the OpenSSL in use does not provide the " + std::string(name) + " digest");
  }
  return md;
}

detail::DigestContextPtr new_context(const char* name) {
  detail::DigestContextPtr context(new detail::DigestContext);
  context->md = digest_algorithm(name);
  context->ctx = EVP_MD_CTX_new();
  if (context->ctx == nullptr) throw std::bad_alloc();
  if (EVP_DigestInit_ex2(context->ctx, context->md, nullptr) != 1) fail("digest init");
  return context;
}

void update_context(detail::DigestContext& context, ByteSpan data) {
  // EVP_DigestUpdate takes a size_t, so no chunking is needed for large spans.
  if (!data.empty() && EVP_DigestUpdate(context.ctx, data.data(), data.size()) != 1) {
    fail("digest update");
  }
}

template <std::size_t N>
std::array<std::byte, N> finish_context(detail::DigestContext& context) {
  std::array<std::byte, N> out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.ctx, reinterpret_cast<unsigned char*>(out.data()), &length) != 1 ||
      length != N) {
    fail("digest final");
  }
  return out;
}

template <std::size_t N>
std::array<std::byte, N> one_shot(const char* name, ByteSpan data) {
  detail::DigestContextPtr context = new_context(name);
  update_context(*context, data);
  return finish_context<N>(*context);
}

void check_usable(const detail::DigestContextPtr& context, bool finished) {
  if (context == nullptr) {
    throw Error(ErrorCode::InvalidArgument, "digest used after being moved from");
  }
  if (finished) {
    throw Error(ErrorCode::InvalidArgument, "digest used after finish(); call reset() first");
  }
}

}  // namespace

std::string to_hex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    auto value = static_cast<unsigned>(b);
    out.push_back(kDigits[value >> 4]);
    out.push_back(kDigits[value & 0xF]);
  }
  return out;
}

Sha256Digest sha256(ByteSpan data) { return one_shot<kSha256Size>("SHA256", data); }

std::string sha256_hex(ByteSpan data) { return to_hex(sha256(data)); }

std::string sha256_hex(std::string_view text) { return sha256_hex(as_bytes(text)); }

Sha256Digest hmac_sha256(ByteSpan key, ByteSpan data) {
  // RFC 2104 over the shared SHA-256 rather than EVP_Q_mac, which fetches the HMAC and digest
  // implementations on every call: SigV4 makes five HMACs per request, and that fetching was a
  // quarter of the client's CPU when fetching many small objects.
  constexpr std::size_t kBlock = 64;  // SHA-256's block size
  std::array<std::byte, kBlock> block{};
  if (key.size() > kBlock) {
    Sha256Digest hashed = sha256(key);
    std::copy(hashed.begin(), hashed.end(), block.begin());
    secure_wipe(hashed);
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<std::byte, kBlock> pad{};
  auto keyed_hash = [&](std::byte mask, ByteSpan message) {
    for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ mask;
    detail::DigestContextPtr context = new_context("SHA256");
    update_context(*context, pad);
    update_context(*context, message);
    return finish_context<kSha256Size>(*context);
  };
  Sha256Digest inner = keyed_hash(std::byte{0x36}, data);
  Sha256Digest out = keyed_hash(std::byte{0x5c}, inner);
  secure_wipe(block);
  secure_wipe(pad);
  secure_wipe(inner);
  return out;
}

Md5Digest md5(ByteSpan data) { return one_shot<kMd5Size>("MD5", data); }

std::string md5_base64(ByteSpan data) { return base64_encode(md5(data)); }

std::string md5_hex(ByteSpan data) { return to_hex(md5(data)); }

void secure_wipe(MutableByteSpan bytes) noexcept {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

void secure_wipe(std::string& text) noexcept {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}

Sha256::Sha256() : context_(new_context("SHA256")) {}

void Sha256::update(ByteSpan data) {
  check_usable(context_, finished_);
  update_context(*context_, data);
}

Sha256Digest Sha256::finish() {
  check_usable(context_, finished_);
  finished_ = true;
  return finish_context<kSha256Size>(*context_);
}

std::string Sha256::finish_hex() { return to_hex(finish()); }

void Sha256::reset() {
  if (context_ == nullptr) context_ = new_context("SHA256");
  if (EVP_DigestInit_ex2(context_->ctx, context_->md, nullptr) != 1) fail("digest init");
  finished_ = false;
}

Md5::Md5() : context_(new_context("MD5")) {}

void Md5::update(ByteSpan data) {
  check_usable(context_, finished_);
  update_context(*context_, data);
}

Md5Digest Md5::finish() {
  check_usable(context_, finished_);
  finished_ = true;
  return finish_context<kMd5Size>(*context_);
}

std::string Md5::finish_hex() { return to_hex(finish()); }

std::string Md5::finish_base64() { return base64_encode(finish()); }

void Md5::reset() {
  if (context_ == nullptr) context_ = new_context("MD5");
  if (EVP_DigestInit_ex2(context_->ctx, context_->md, nullptr) != 1) fail("digest init");
  finished_ = false;
}

}  // namespace ndbucket::s3
