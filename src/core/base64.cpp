#include "ndbucket/core/base64.hpp"

#include <algorithm>
#include <cstdint>

namespace ndbucket {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string base64_encode(ByteSpan bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (n > 1) group |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (n > 2) group |= static_cast<std::uint32_t>(bytes[i + 2]);
    for (std::size_t j = 0; j < 4; ++j) {
      text += j <= n ? kBase64Alphabet[(group >> (18 - 6 * j)) & 0x3f] : '=';
    }
  }
  return text;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    std::uint32_t group = 0;
    bool last = i + 4 == text.size();
    for (std::size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      std::uint32_t value = 0;
      if (last && j >= 4 - padding) {
        if (c != '=') return std::nullopt;
      } else {
        std::size_t pos = kBase64Alphabet.find(c);
        if (c == '\0' || pos == std::string_view::npos) return std::nullopt;
        value = static_cast<std::uint32_t>(pos);
      }
      group = (group << 6) | value;
    }
    std::size_t keep = last ? 3 - padding : 3;
    // Canonical form only: the bits under the padding must be zero.
    if (last && padding > 0 && (group & ((1u << (8 * padding)) - 1)) != 0) return std::nullopt;
    for (std::size_t j = 0; j < keep; ++j) {
      out.push_back(static_cast<std::byte>((group >> (16 - 8 * j)) & 0xff));
    }
  }
  return out;
}

}  // namespace ndbucket
