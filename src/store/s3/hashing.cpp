#include "hashing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <limits>
#include <string>

#include "ndbucket/core/error.hpp"

namespace ndbucket::s3 {
namespace detail {

// Owns the fetched algorithm as well as the context: fetching explicitly (instead of the implicit
// EVP_sha256()/EVP_md5()) is what lets a missing MD5 under a FIPS provider surface as
// Unsupported when the object is made, not as an opaque failure at the first update.
struct DigestContext {
  EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
};

void DigestContextDeleter::operator()(DigestContext* context) const noexcept {
  EVP_MD_CTX_free(context->ctx);
  EVP_MD_free(context->md);
  delete context;
}

}  // namespace detail

namespace {

[[noreturn]] void fail(const char* what) {
  throw Error(ErrorCode::Io, std::string("OpenSSL ") + what + " failed");
}

EVP_MD* fetch_digest(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) {
    throw Error(ErrorCode::Unsupported,
                std::string("the OpenSSL in use does not provide the ") + name + " digest");
  }
  return md;
}

detail::DigestContextPtr new_context(const char* name) {
  detail::DigestContextPtr context(new detail::DigestContext);
  context->md = fetch_digest(name);
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

std::string base64_encode(ByteSpan bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned triple = static_cast<unsigned>(bytes[i]) << 16 |
                      static_cast<unsigned>(bytes[i + 1]) << 8 |
                      static_cast<unsigned>(bytes[i + 2]);
    out.push_back(kAlphabet[(triple >> 18) & 0x3F]);
    out.push_back(kAlphabet[(triple >> 12) & 0x3F]);
    out.push_back(kAlphabet[(triple >> 6) & 0x3F]);
    out.push_back(kAlphabet[triple & 0x3F]);
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned triple = static_cast<unsigned>(bytes[i]) << 16;
    if (rest == 2) triple |= static_cast<unsigned>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(triple >> 18) & 0x3F]);
    out.push_back(kAlphabet[(triple >> 12) & 0x3F]);
    out.push_back(rest == 2 ? kAlphabet[(triple >> 6) & 0x3F] : '=');
    out.push_back('=');
  }
  return out;
}

Sha256Digest sha256(ByteSpan data) { return one_shot<kSha256Size>("SHA256", data); }

std::string sha256_hex(ByteSpan data) { return to_hex(sha256(data)); }

std::string sha256_hex(std::string_view text) { return sha256_hex(as_bytes(text)); }

Sha256Digest hmac_sha256(ByteSpan key, ByteSpan data) {
  // OpenSSL's HMAC treats a null key pointer as "keep the previous key" rather than "empty key",
  // so an empty key is passed as a valid pointer with length zero.
  static constexpr unsigned char kNoKey = 0;
  const void* key_data = key.empty() ? static_cast<const void*>(&kNoKey) : key.data();
  static constexpr unsigned char kNoData = 0;
  const unsigned char* message =
      data.empty() ? &kNoData : reinterpret_cast<const unsigned char*>(data.data());
  Sha256Digest out{};
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_data, key.size(), message,
                data.size(), reinterpret_cast<unsigned char*>(out.data()), out.size(),
                &length) == nullptr ||
      length != out.size()) {
    fail("HMAC-SHA256");
  }
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
