#include "ndbucket/array/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace ndbucket {

namespace {

// Reads one element as a native value, swapping a foreign byte order first.
template <typename T>
T read(const std::byte* p, bool swap) {
  std::byte buffer[sizeof(T)];
  std::memcpy(buffer, p, sizeof(T));
  if (swap) std::reverse(buffer, buffer + sizeof(T));
  T value;
  std::memcpy(&value, buffer, sizeof(T));
  return value;
}

float half_to_float(std::uint16_t h) {
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  float sign = (h & 0x8000) ? -1.0f : 1.0f;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
}

std::string format_float(double value, int precision) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", precision, value);
  std::string out = text;
  // NumPy marks integral floats with a trailing '.': "1." rather than "1".
  if (out.find_first_of(".en") == std::string::npos) out += '.';
  return out;
}

std::string format_element(const std::byte* p, const DType& dtype, int precision) {
  bool swap = dtype.is_foreign_order();
  std::size_t size = dtype.itemsize();
  switch (dtype.kind()) {
    case DTypeKind::Bool:
      return std::to_integer<int>(*p) ? "True" : "False";
    case DTypeKind::Int:
      switch (size) {
        case 1:
          return std::to_string(read<std::int8_t>(p, false));
        case 2:
          return std::to_string(read<std::int16_t>(p, swap));
        case 4:
          return std::to_string(read<std::int32_t>(p, swap));
        default:
          return std::to_string(read<std::int64_t>(p, swap));
      }
    case DTypeKind::UInt:
      switch (size) {
        case 1:
          return std::to_string(read<std::uint8_t>(p, false));
        case 2:
          return std::to_string(read<std::uint16_t>(p, swap));
        case 4:
          return std::to_string(read<std::uint32_t>(p, swap));
        default:
          return std::to_string(read<std::uint64_t>(p, swap));
      }
    case DTypeKind::Float:
      if (size == 2) return format_float(half_to_float(read<std::uint16_t>(p, swap)), precision);
      if (size == 4) return format_float(read<float>(p, swap), precision);
      return format_float(read<double>(p, swap), precision);
    case DTypeKind::Complex: {
      double re = size == 8 ? read<float>(p, swap) : read<double>(p, swap);
      double im = size == 8 ? read<float>(p + 4, swap) : read<double>(p + 8, swap);
      std::string imag = format_float(std::fabs(im), precision);
      if (imag.back() == '.') imag.pop_back();
      std::string real = format_float(re, precision);
      if (real.back() == '.') real.pop_back();
      return "(" + real + (std::signbit(im) ? "-" : "+") + imag + "j)";
    }
    case DTypeKind::Bytes: {
      std::size_t n = size;
      while (n > 0 && std::to_integer<int>(p[n - 1]) == 0) --n;  // NumPy strips trailing NULs
      std::string out = "b'";
      for (std::size_t i = 0; i < n; ++i) {
        int c = std::to_integer<int>(p[i]);
        if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
          out += static_cast<char>(c);
        } else {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\x%02x", c);
          out += esc;
        }
      }
      return out + "'";
    }
    case DTypeKind::Unicode: {
      std::string out = "'";
      std::size_t chars = size / 4;
      while (chars > 0 && read<std::uint32_t>(p + (chars - 1) * 4, swap) == 0) --chars;
      for (std::size_t i = 0; i < chars; ++i) {
        std::uint32_t c = read<std::uint32_t>(p + i * 4, swap);
        if (c < 0x80 && c >= 0x20 && c != '\'') {
          out += static_cast<char>(c);
        } else if (c < 0x800 && c >= 0x80) {
          out += static_cast<char>(0xc0 | (c >> 6));
          out += static_cast<char>(0x80 | (c & 0x3f));
        } else if (c >= 0x800 && c < 0x10000 && (c < 0xd800 || c > 0xdfff)) {
          out += static_cast<char>(0xe0 | (c >> 12));
          out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
          out += static_cast<char>(0x80 | (c & 0x3f));
        } else if (c >= 0x10000 && c < 0x110000) {
          out += static_cast<char>(0xf0 | (c >> 18));
          out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
          out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
          out += static_cast<char>(0x80 | (c & 0x3f));
        } else {
          char esc[16];
          std::snprintf(esc, sizeof esc, "\\U%08x", c);
          out += esc;
        }
      }
      return out + "'";
    }
    case DTypeKind::Void: {
      std::string out = "0x";
      for (std::size_t i = 0; i < size; ++i) {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%02X", std::to_integer<int>(p[i]));
        out += hex;
      }
      return out;
    }
  }
  return "?";
}

void render(const ArrayView& view, std::size_t axis, const std::byte* base, bool summarise,
            const FormatOptions& options, std::string& out) {
  if (axis == view.ndim()) {
    out += format_element(base, view.dtype(), options.precision);
    return;
  }
  std::size_t n = view.shape()[axis];
  bool cut = summarise && n > 2 * options.edge_items;
  std::string separator =
      axis + 1 == view.ndim()
          ? " "
          : "\n" + std::string(view.ndim() - axis - 2, '\n') + std::string(axis + 1, ' ');
  out += '[';
  for (std::size_t i = 0; i < n; ++i) {
    if (cut && i == options.edge_items) {
      out += "..." + separator;
      i = n - options.edge_items;
    }
    render(view, axis + 1, base + static_cast<std::ptrdiff_t>(i) * view.strides()[axis], summarise,
           options, out);
    if (i + 1 < n) out += separator;
  }
  out += ']';
}

}  // namespace

std::string format_array(const ArrayView& view, const FormatOptions& options) {
  std::string out;
  bool summarise = view.element_count() > options.threshold;
  render(view, 0, view.data(), summarise, options, out);
  return out;
}

}  // namespace ndbucket
