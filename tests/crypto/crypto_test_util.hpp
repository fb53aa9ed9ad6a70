// Helpers shared by the crypto tests.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket::testing {

// Bytes from hex digits ("" gives no bytes); throws std::invalid_argument for bad text.
inline Bytes from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("bad hex digit");
  };
  Bytes out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::byte>(digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]));
  }
  return out;
}

}  // namespace ndbucket::testing
