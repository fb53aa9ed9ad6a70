#include "ndbucket/array/shape.hpp"

#include <charconv>

#include "ndbucket/core/error.hpp"

namespace ndbucket {

namespace {
// Most dimensions accepted when parsing; NumPy allows 64.
constexpr std::size_t kMaxDims = 64;
}  // namespace

std::size_t Shape::element_count() const {
  std::size_t count = 1;
  bool empty = false;
  for (std::size_t d : dims_) {
    if (d == 0) empty = true;
    // Overflow is checked on the non-zero extents so "0,huge,huge" is still refused: such a shape
    // cannot exist in NumPy either.
    std::size_t factor = d == 0 ? 1 : d;
    if (__builtin_mul_overflow(count, factor, &count) || count > (std::size_t{1} << 62)) {
      throw Error(ErrorCode::InvalidArgument, "shape " + to_tuple() + " is too large");
    }
  }
  return empty ? 0 : count;
}

std::size_t Shape::nbytes(std::size_t itemsize) const {
  std::size_t total = 0;
  if (__builtin_mul_overflow(element_count(), itemsize, &total) || total > (std::size_t{1} << 62)) {
    throw Error(ErrorCode::InvalidArgument, "shape " + to_tuple() + " is too large in bytes");
  }
  return total;
}

Strides Shape::contiguous_strides(std::size_t itemsize, Order order) const {
  Strides strides(dims_.size());
  std::ptrdiff_t step = static_cast<std::ptrdiff_t>(itemsize);
  std::size_t n = dims_.size();
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t axis = order == Order::C ? n - 1 - k : k;
    strides[axis] = step;
    step *= static_cast<std::ptrdiff_t>(dims_[axis] == 0 ? 1 : dims_[axis]);
  }
  return strides;
}

std::string Shape::to_metadata() const {
  std::string out;
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(dims_[i]);
  }
  return out;
}

Shape Shape::from_metadata(std::string_view text) {
  auto fail = [&](std::string_view why) -> Shape {
    throw Error(ErrorCode::InvalidArgument,
                "malformed shape '" + std::string(text.substr(0, 200)) + "': " + std::string(why));
  };
  std::vector<std::size_t> dims;
  std::size_t pos = 0;
  auto skip_spaces = [&] {
    while (pos < text.size() && text[pos] == ' ') ++pos;
  };
  skip_spaces();
  while (pos < text.size()) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data() + pos) return fail("expected an extent");
    pos = static_cast<std::size_t>(end - text.data());
    dims.push_back(value);
    if (dims.size() > kMaxDims) return fail("too many dimensions");
    skip_spaces();
    if (pos == text.size()) break;
    if (text[pos] != ',') return fail("expected ','");
    ++pos;
    skip_spaces();
  }
  Shape shape(std::move(dims));
  shape.element_count();  // overflow check
  return shape;
}

std::string Shape::to_tuple() const {
  std::string out = "(";
  for (std::size_t i = 0; i < dims_.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(dims_[i]);
  }
  if (dims_.size() == 1) out += ',';
  return out + ")";
}

}  // namespace ndbucket
