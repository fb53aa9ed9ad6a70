// ArrayView (non-owning) and Array (owning, 64-byte aligned): n-d arrays of a DType.
//
// A view is a pointer, a dtype, a shape and byte strides, like NumPy's array interface, so any
// memory layout (C, Fortran, sliced, transposed, reversed) can be saved without a copy when it is
// contiguous and with one C-order copy when it is not.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "ndbucket/array/dtype.hpp"
#include "ndbucket/array/shape.hpp"
#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket {

// A view of elements someone else owns. `Byte` is `const std::byte` (ArrayView) or `std::byte`
// (MutableArrayView); a mutable view converts to a read-only one.
// Thread safety: as the memory it views.
template <typename Byte>
class BasicArrayView {
 public:
  BasicArrayView() = default;
  // A view with explicit strides. Errors: InvalidArgument when strides.size() != shape.ndim().
  BasicArrayView(Byte* data, DType dtype, Shape shape, Strides strides)
      : data_(data), dtype_(dtype), shape_(std::move(shape)), strides_(std::move(strides)) {
    if (strides_.size() != shape_.ndim()) {
      throw Error(ErrorCode::InvalidArgument, "array view: strides and shape differ in length");
    }
  }
  // A contiguous view in `order`.
  BasicArrayView(Byte* data, DType dtype, Shape shape, Order order = Order::C)
      : data_(data),
        dtype_(dtype),
        shape_(std::move(shape)),
        strides_(shape_.contiguous_strides(dtype.itemsize(), order)) {}
  // A read-only view of a mutable one.
  template <typename Other,
            typename = std::enable_if_t<std::is_const_v<Byte> && !std::is_const_v<Other>>>
  BasicArrayView(const BasicArrayView<Other>& other)  // NOLINT: implicit by design
      : data_(other.data()),
        dtype_(other.dtype()),
        shape_(other.shape()),
        strides_(other.strides()) {}

  // A contiguous view of typed elements: span.size() must equal shape.element_count().
  // Errors: InvalidArgument otherwise.
  template <typename T>
  static BasicArrayView of(std::span<T> values, Shape shape, Order order = Order::C) {
    static_assert(std::is_const_v<Byte> || !std::is_const_v<T>, "mutable view of const data");
    if (values.size() != shape.element_count()) {
      throw Error(ErrorCode::InvalidArgument, "array view: " + std::to_string(values.size()) +
                                                  " values do not fill shape " + shape.to_tuple());
    }
    return BasicArrayView(reinterpret_cast<Byte*>(values.data()), DType::of<T>(), std::move(shape),
                          order);
  }

  Byte* data() const noexcept { return data_; }
  const DType& dtype() const noexcept { return dtype_; }
  const Shape& shape() const noexcept { return shape_; }
  const Strides& strides() const noexcept { return strides_; }
  std::size_t ndim() const noexcept { return shape_.ndim(); }
  std::size_t element_count() const { return shape_.element_count(); }
  std::size_t nbytes() const { return shape_.nbytes(dtype_.itemsize()); }

  // Whether elements lie back to back in C (resp. Fortran) order. Extents of 0 or 1 make their
  // stride irrelevant, as in NumPy; empty and scalar arrays are both.
  bool is_c_contiguous() const { return contiguous_in(Order::C); }
  bool is_f_contiguous() const { return contiguous_in(Order::F); }

  // The elements as one byte span. Errors: InvalidArgument unless contiguous in C or F order.
  std::span<Byte> bytes() const {
    if (!is_c_contiguous() && !is_f_contiguous()) {
      throw Error(ErrorCode::InvalidArgument, "array view is not contiguous");
    }
    return {data_, nbytes()};
  }

 private:
  bool contiguous_in(Order order) const {
    std::ptrdiff_t expected = static_cast<std::ptrdiff_t>(dtype_.itemsize());
    std::size_t n = shape_.ndim();
    for (std::size_t i = 0; i < n; ++i) {
      if (shape_[i] == 0) return true;
    }
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t axis = order == Order::C ? n - 1 - k : k;
      if (shape_[axis] != 1 && strides_[axis] != expected) return false;
      expected *= static_cast<std::ptrdiff_t>(shape_[axis]);
    }
    return true;
  }

  Byte* data_ = nullptr;
  DType dtype_ = DType::of<double>();
  Shape shape_;
  Strides strides_;
};

using ArrayView = BasicArrayView<const std::byte>;
using MutableArrayView = BasicArrayView<std::byte>;

// Copies the elements of `source` into `destination` (any strides on both sides). The dtypes must
// be equal up to byte order; elements are byte-swapped when the orders differ. The views must not
// overlap. Errors: InvalidArgument for differing shapes or dtypes. Thread safety: as the memory.
void copy_elements(const ArrayView& source, const MutableArrayView& destination);

// Reverses the bytes of every element in place (per swap_unit), leaving the view's dtype as it is:
// the caller relabels the byte order. Thread safety: as the memory.
void byteswap_in_place(const MutableArrayView& view);

// An owning, contiguous (C or Fortran order) n-d array whose buffer is 64-byte aligned.
// Thread safety: a value-like type (move-only); concurrent const use is safe.
class Array {
 public:
  static constexpr std::size_t kAlignment = 64;

  // An empty 1-d array of 0 doubles.
  Array();
  // A zero-filled array. Errors: InvalidArgument when the size overflows.
  Array(DType dtype, Shape shape, Order order = Order::C);
  // An array whose bytes are left uninitialised (for a loader that overwrites them all).
  static Array uninitialized(DType dtype, Shape shape, Order order = Order::C);
  // A C-order copy of the elements of `view` in `view`'s dtype. To keep Fortran layout, use
  // copy_of(view, Order::F).
  static Array copy_of(const ArrayView& view, Order order = Order::C);
  // A 1-d (or `shape`d) array holding a copy of `values`. Errors: InvalidArgument when the
  // element count differs.
  template <typename T>
  static Array from_vector(const std::vector<T>& values);
  template <typename T>
  static Array from_vector(const std::vector<T>& values, Shape shape, Order order = Order::C);

  Array(Array&&) noexcept = default;
  Array& operator=(Array&&) noexcept = default;

  const DType& dtype() const noexcept { return dtype_; }
  const Shape& shape() const noexcept { return shape_; }
  Order order() const noexcept { return order_; }
  std::size_t ndim() const noexcept { return shape_.ndim(); }
  std::size_t element_count() const { return shape_.element_count(); }
  std::size_t nbytes() const noexcept { return nbytes_; }
  std::byte* data() noexcept { return data_.get(); }
  const std::byte* data() const noexcept { return data_.get(); }
  ByteSpan bytes() const noexcept { return {data_.get(), nbytes_}; }
  MutableByteSpan bytes() noexcept { return {data_.get(), nbytes_}; }
  ArrayView view() const { return ArrayView(data_.get(), dtype_, shape_, order_); }
  MutableArrayView mutable_view() { return MutableArrayView(data_.get(), dtype_, shape_, order_); }

  // The elements typed as T, in storage order. Errors: InvalidArgument unless dtype() is
  // DType::of<T>() (native byte order; call to_byte_order first for foreign data).
  template <typename T>
  std::span<T> values();
  template <typename T>
  std::span<const T> values() const;
  // A copy of the elements in C order as T. Errors: as values(); a foreign byte order is swapped.
  template <typename T>
  std::vector<T> to_vector() const;

  // Byte-swaps the elements in place so that they are stored in `order`, and relabels the dtype.
  // A no-op when already in that order or when the dtype has no byte order.
  void to_byte_order(ByteOrder order);
  // The same elements rearranged into `order` (a copy; cheap move when already in it).
  Array to_order(Order order) &&;

 private:
  struct AlignedDelete {
    void operator()(std::byte* p) const noexcept;
  };
  Array(DType dtype, Shape shape, Order order, bool zero);
  void check_type(const DType& wanted) const;

  DType dtype_;
  Shape shape_;
  Order order_ = Order::C;
  std::size_t nbytes_ = 0;
  std::unique_ptr<std::byte[], AlignedDelete> data_;
};

template <typename T>
Array Array::from_vector(const std::vector<T>& values) {
  return from_vector(values, Shape{values.size()});
}

template <typename T>
Array Array::from_vector(const std::vector<T>& values, Shape shape, Order order) {
  static_assert(!std::is_same_v<T, bool>, "std::vector<bool> is packed; use std::uint8_t");
  ArrayView source = ArrayView::of(std::span<const T>(values), shape, order);
  return copy_of(source, order);
}

template <typename T>
std::span<T> Array::values() {
  check_type(DType::of<T>());
  return {reinterpret_cast<T*>(data_.get()), element_count()};
}

template <typename T>
std::span<const T> Array::values() const {
  check_type(DType::of<T>());
  return {reinterpret_cast<const T*>(data_.get()), element_count()};
}

template <typename T>
std::vector<T> Array::to_vector() const {
  DType wanted = DType::of<T>();
  if (!dtype_.same_except_order(wanted)) check_type(wanted);
  std::vector<T> out(element_count());
  copy_elements(view(), MutableArrayView::of(std::span<T>(out), shape_, Order::C));
  return out;
}

}  // namespace ndbucket
