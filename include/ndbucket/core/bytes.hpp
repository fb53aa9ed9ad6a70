// Byte buffers and views shared by every layer.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ndbucket {

// An owning, contiguous byte buffer (an object body, an encoded chunk ...).
using Bytes = std::vector<std::byte>;
// A read-only view of bytes owned by someone else; what uploads and encoders accept.
using ByteSpan = std::span<const std::byte>;
// A writable view of a caller's buffer; what downloads and decoders fill.
using MutableByteSpan = std::span<std::byte>;

// Views the characters of a string as bytes (no copy). Thread safety: pure.
inline ByteSpan as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

// Copies bytes into a new buffer. Thread safety: pure.
inline Bytes to_bytes(std::string_view text) {
  ByteSpan view = as_bytes(text);
  return Bytes(view.begin(), view.end());
}

// Views bytes as characters (no copy), e.g. to print a text object. Thread safety: pure.
inline std::string_view as_string_view(ByteSpan bytes) noexcept {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace ndbucket
