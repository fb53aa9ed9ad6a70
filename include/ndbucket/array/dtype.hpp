// DType: a NumPy data type as its typestr ("<f8", ">i4", "|b1", "<c16", "|S4", "<U5", "|V8").
//
// ndbucket stores arrays with the exact `dtype.str` NumPy (and so cottoncandy) writes, so a DType
// parses and formats that string. It describes storage only: ndbucket never does arithmetic on
// elements, it moves and byte-swaps them.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace ndbucket {

// NumPy's kind characters for the kinds ndbucket stores.
// GCC 12's -Wshadow says the scoped enumerator Bytes shadows ndbucket::Bytes when bytes.hpp was
// included first, although DTypeKind::Bytes lives in its own scope.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#endif
enum class DTypeKind : char {
  Bool = 'b',
  Int = 'i',
  UInt = 'u',
  Float = 'f',
  Complex = 'c',
  Bytes = 'S',    // fixed-length byte string, itemsize = length
  Unicode = 'U',  // fixed-length UCS-4 string, itemsize = 4 * length
  Void = 'V',     // raw bytes
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// The byte order of a dtype's elements. NotApplicable for 1-byte numbers, bytes and void ('|').
enum class ByteOrder : char { Little = '<', Big = '>', NotApplicable = '|' };

// The byte order of this machine (Little or Big).
ByteOrder native_byte_order() noexcept;

// An immutable NumPy dtype. Thread safety: a value type; const methods are pure.
class DType {
 public:
  // Parses a NumPy typestr. Accepts '<', '>', '|', '=' (native) or no byte-order character, and
  // normalises to what NumPy's dtype.str writes ("<u1" -> "|u1", "=f8" -> "<f8" on x86).
  // Supported: b1; i1 i2 i4 i8; u1 u2 u4 u8; f2 f4 f8; c8 c16; S<n>, U<n>, V<n> with n >= 1.
  // Errors: Unsupported for datetimes (M8, m8), objects (O) and platform-dependent long doubles
  // (f16, c32), naming the typestr; InvalidArgument for anything malformed.
  static DType parse(std::string_view typestr);

  // The dtype of a C++ element type (bool, std::int8_t ... std::uint64_t, float, double,
  // std::complex<float>, std::complex<double>) in native byte order.
  template <typename T>
  static DType of();

  // NumPy's dtype.str for this dtype ("<f8", "|S4", "<U5").
  std::string str() const;

  DTypeKind kind() const noexcept { return kind_; }
  ByteOrder byte_order() const noexcept { return order_; }
  // Bytes per element (for 'U', four times the character count).
  std::size_t itemsize() const noexcept { return itemsize_; }
  // The unit byte swapping reverses: itemsize for numbers, half of it for complex, 4 for 'U', 1
  // when the order is NotApplicable.
  std::size_t swap_unit() const noexcept;
  // Whether elements are stored in the other byte order than this machine's.
  bool is_foreign_order() const noexcept;
  // The same dtype in `order` (ignored for dtypes whose order is NotApplicable).
  DType with_byte_order(ByteOrder order) const;
  // The same dtype in native byte order.
  DType native() const { return with_byte_order(native_byte_order()); }
  // Whether two dtypes hold the same values, perhaps in different byte orders.
  bool same_except_order(const DType& other) const noexcept {
    return kind_ == other.kind_ && itemsize_ == other.itemsize_;
  }

  friend bool operator==(const DType&, const DType&) = default;

 private:
  DType(DTypeKind kind, ByteOrder order, std::size_t itemsize)
      : kind_(kind), order_(order), itemsize_(itemsize) {}

  DTypeKind kind_ = DTypeKind::Float;
  ByteOrder order_ = ByteOrder::Little;
  std::size_t itemsize_ = 8;
};

namespace detail {
template <typename T>
struct DTypeTraits;
template <>
struct DTypeTraits<bool> {
  static constexpr char kind = 'b';
};
#define NDBUCKET_DTYPE_TRAIT(type, k) \
  template <>                         \
  struct DTypeTraits<type> {          \
    static constexpr char kind = k;   \
  };
NDBUCKET_DTYPE_TRAIT(std::int8_t, 'i')
NDBUCKET_DTYPE_TRAIT(std::int16_t, 'i')
NDBUCKET_DTYPE_TRAIT(std::int32_t, 'i')
NDBUCKET_DTYPE_TRAIT(std::int64_t, 'i')
NDBUCKET_DTYPE_TRAIT(std::uint8_t, 'u')
NDBUCKET_DTYPE_TRAIT(std::uint16_t, 'u')
NDBUCKET_DTYPE_TRAIT(std::uint32_t, 'u')
NDBUCKET_DTYPE_TRAIT(std::uint64_t, 'u')
NDBUCKET_DTYPE_TRAIT(float, 'f')
NDBUCKET_DTYPE_TRAIT(double, 'f')
NDBUCKET_DTYPE_TRAIT(std::complex<float>, 'c')
NDBUCKET_DTYPE_TRAIT(std::complex<double>, 'c')
#undef NDBUCKET_DTYPE_TRAIT
}  // namespace detail

template <typename T>
DType DType::of() {
  using Traits = detail::DTypeTraits<std::remove_cv_t<T>>;
  DTypeKind kind = static_cast<DTypeKind>(Traits::kind);
  ByteOrder order = sizeof(T) == 1 ? ByteOrder::NotApplicable : native_byte_order();
  return DType(kind, order, sizeof(T));
}

}  // namespace ndbucket
