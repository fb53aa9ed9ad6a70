#include "ndbucket/array/dtype.hpp"

#include <bit>
#include <charconv>

#include "ndbucket/core/error.hpp"

namespace ndbucket {

namespace {

[[noreturn]] void malformed(std::string_view typestr, std::string_view why) {
  throw Error(ErrorCode::InvalidArgument,
              "malformed dtype '" + std::string(typestr) + "': " + std::string(why));
}

// Longest typestr accepted; NumPy's are a few characters, so anything long is an attack or junk.
constexpr std::size_t kMaxTypestrLength = 32;
// Largest flexible itemsize accepted (NumPy caps at INT_MAX as well).
constexpr std::size_t kMaxItemsize = 0x7fffffff;

}  // namespace

ByteOrder native_byte_order() noexcept {
  return std::endian::native == std::endian::little ? ByteOrder::Little : ByteOrder::Big;
}

DType DType::parse(std::string_view typestr) {
  if (typestr.empty()) malformed(typestr, "empty");
  if (typestr.size() > kMaxTypestrLength) malformed(typestr.substr(0, 32), "too long");
  std::string_view rest = typestr;
  char order_char = 0;
  if (rest[0] == '<' || rest[0] == '>' || rest[0] == '|' || rest[0] == '=') {
    order_char = rest[0];
    rest.remove_prefix(1);
  }
  if (rest.empty()) malformed(typestr, "no type character");
  char kind_char = rest[0];
  rest.remove_prefix(1);
  if (kind_char == 'M' || kind_char == 'm') {
    throw Error(ErrorCode::Unsupported,
                "dtype '" + std::string(typestr) + "': datetime64/timedelta64 are not supported");
  }
  if (kind_char == 'O') {
    throw Error(ErrorCode::Unsupported,
                "dtype '" + std::string(typestr) + "': Python object arrays are not supported");
  }
  if (rest.empty()) malformed(typestr, "no item size");
  std::size_t size = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), size);
  if (ec != std::errc() || end != rest.data() + rest.size() || rest[0] == '+') {
    malformed(typestr, "item size is not a decimal number");
  }
  if (size > kMaxItemsize) malformed(typestr, "item size too large");

  DTypeKind kind;
  std::size_t itemsize = size;
  switch (kind_char) {
    case 'b':
      kind = DTypeKind::Bool;
      if (size != 1) malformed(typestr, "bool must have item size 1");
      break;
    case 'i':
    case 'u':
      kind = kind_char == 'i' ? DTypeKind::Int : DTypeKind::UInt;
      if (size != 1 && size != 2 && size != 4 && size != 8) {
        malformed(typestr, "integers have item size 1, 2, 4 or 8");
      }
      break;
    case 'f':
      kind = DTypeKind::Float;
      if (size == 16 || size == 12 || size == 10) {
        throw Error(ErrorCode::Unsupported,
                    "dtype '" + std::string(typestr) + "': long double is platform-dependent");
      }
      if (size != 2 && size != 4 && size != 8)
        malformed(typestr, "floats have item size 2, 4 or 8");
      break;
    case 'c':
      kind = DTypeKind::Complex;
      if (size == 32 || size == 24 || size == 20) {
        throw Error(ErrorCode::Unsupported, "dtype '" + std::string(typestr) +
                                                "': complex long double is platform-dependent");
      }
      if (size != 8 && size != 16) malformed(typestr, "complex numbers have item size 8 or 16");
      break;
    case 'S':
    case 'a':
      kind = DTypeKind::Bytes;
      break;
    case 'V':
      kind = DTypeKind::Void;
      break;
    case 'U':
      kind = DTypeKind::Unicode;
      itemsize = size * 4;
      break;
    default:
      malformed(typestr, "unknown type character");
  }
  if ((kind == DTypeKind::Bytes || kind == DTypeKind::Void || kind == DTypeKind::Unicode) &&
      size == 0) {
    malformed(typestr, "flexible dtypes need a length of at least 1");
  }

  ByteOrder order;
  bool orderless = kind == DTypeKind::Bytes || kind == DTypeKind::Void || itemsize == 1;
  if (orderless) {
    order = ByteOrder::NotApplicable;
  } else if (order_char == '<') {
    order = ByteOrder::Little;
  } else if (order_char == '>') {
    order = ByteOrder::Big;
  } else if (order_char == '|') {
    malformed(typestr, "'|' is only for types without a byte order");
  } else {
    order = native_byte_order();  // '=' or none: NumPy means native
  }
  return DType(kind, order, itemsize);
}

std::string DType::str() const {
  std::string out(1, static_cast<char>(order_));
  out += static_cast<char>(kind_);
  out += std::to_string(kind_ == DTypeKind::Unicode ? itemsize_ / 4 : itemsize_);
  return out;
}

std::size_t DType::swap_unit() const noexcept {
  if (order_ == ByteOrder::NotApplicable) return 1;
  if (kind_ == DTypeKind::Complex) return itemsize_ / 2;
  if (kind_ == DTypeKind::Unicode) return 4;
  return itemsize_;
}

bool DType::is_foreign_order() const noexcept {
  return order_ != ByteOrder::NotApplicable && order_ != native_byte_order();
}

DType DType::with_byte_order(ByteOrder order) const {
  if (order_ == ByteOrder::NotApplicable) return *this;
  if (order == ByteOrder::NotApplicable) {
    throw Error(ErrorCode::InvalidArgument, "dtype " + str() + " needs a byte order");
  }
  return DType(kind_, order, itemsize_);
}

}  // namespace ndbucket
