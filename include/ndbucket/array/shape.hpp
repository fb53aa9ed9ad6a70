// Shape and strides of n-d arrays, and the memory orders ndbucket reads and writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ndbucket {

// Row-major (C, last index fastest) or column-major (Fortran, first index fastest).
enum class Order : char { C = 'C', F = 'F' };

// Per-dimension distances between neighbouring elements, in bytes (may be negative or 0).
using Strides = std::vector<std::ptrdiff_t>;

// The extents of an n-d array; 0 dimensions is a scalar (one element).
// Thread safety: a value type.
class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::size_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<std::size_t> dims) : dims_(std::move(dims)) {}

  std::size_t ndim() const noexcept { return dims_.size(); }
  std::size_t operator[](std::size_t axis) const { return dims_.at(axis); }
  const std::vector<std::size_t>& dims() const noexcept { return dims_; }

  // The element count (1 for a scalar, 0 if any extent is 0). Errors: InvalidArgument when the
  // product overflows 64 bits.
  std::size_t element_count() const;
  // element_count() * itemsize. Errors: InvalidArgument on overflow.
  std::size_t nbytes(std::size_t itemsize) const;

  // Contiguous strides for this shape in `order`.
  Strides contiguous_strides(std::size_t itemsize, Order order) const;

  // cottoncandy's `shape` metadata: "2,3,4", "5", "" for a scalar.
  std::string to_metadata() const;
  // Parses cottoncandy's `shape` metadata (decimal extents joined by ',', "" for a scalar; spaces
  // and a trailing ',' are tolerated, as Python's str of a tuple would leave them).
  // Errors: InvalidArgument naming the text for anything else or an element count overflow.
  static Shape from_metadata(std::string_view text);
  // NumPy's repr of the shape tuple: "()", "(5,)", "(2, 3)".
  std::string to_tuple() const;

  friend bool operator==(const Shape&, const Shape&) = default;

 private:
  std::vector<std::size_t> dims_;
};

}  // namespace ndbucket
