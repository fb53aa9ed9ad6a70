#include "ndbucket/array/array.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace ndbucket {

namespace {

void swap_units(std::byte* element, std::size_t itemsize, std::size_t unit) {
  for (std::size_t offset = 0; offset + unit <= itemsize; offset += unit) {
    std::reverse(element + offset, element + offset + unit);
  }
}

// Calls fn(source_element, destination_element) for every index, in C order of the indices.
template <typename Fn>
void for_each_pair(std::size_t ndim, const std::vector<std::size_t>& dims, const std::byte* source,
                   const Strides& source_strides, std::byte* destination,
                   const Strides& destination_strides, Fn&& fn) {
  if (ndim == 0) {
    fn(source, destination);
    return;
  }
  for (std::size_t d : dims) {
    if (d == 0) return;
  }
  std::vector<std::size_t> index(ndim, 0);
  std::size_t last = ndim - 1;
  const std::byte* s = source;
  std::byte* t = destination;
  while (true) {
    // The innermost axis as a tight loop; the outer ones as an odometer.
    const std::byte* si = s;
    std::byte* ti = t;
    for (std::size_t i = 0; i < dims[last]; ++i) {
      fn(si, ti);
      si += source_strides[last];
      ti += destination_strides[last];
    }
    std::size_t axis = last;
    while (true) {
      if (axis == 0) return;
      --axis;
      ++index[axis];
      s += source_strides[axis];
      t += destination_strides[axis];
      if (index[axis] < dims[axis]) break;
      s -= source_strides[axis] * static_cast<std::ptrdiff_t>(dims[axis]);
      t -= destination_strides[axis] * static_cast<std::ptrdiff_t>(dims[axis]);
      index[axis] = 0;
    }
  }
}

}  // namespace

void copy_elements(const ArrayView& source, const MutableArrayView& destination) {
  if (!(source.shape() == destination.shape())) {
    throw Error(ErrorCode::InvalidArgument, "copy: shape " + source.shape().to_tuple() +
                                                " does not match " +
                                                destination.shape().to_tuple());
  }
  if (!source.dtype().same_except_order(destination.dtype())) {
    throw Error(ErrorCode::InvalidArgument, "copy: dtype " + source.dtype().str() +
                                                " does not match " + destination.dtype().str());
  }
  bool swap = source.dtype().byte_order() != destination.dtype().byte_order();
  std::size_t itemsize = source.dtype().itemsize();
  std::size_t unit = source.dtype().swap_unit();
  if (source.element_count() == 0) return;
  bool same_layout = (source.is_c_contiguous() && destination.is_c_contiguous()) ||
                     (source.is_f_contiguous() && destination.is_f_contiguous());
  if (same_layout) {
    std::memcpy(destination.data(), source.data(), source.nbytes());
    if (swap) byteswap_in_place(destination);
    return;
  }
  std::size_t last = source.ndim() - 1;
  std::ptrdiff_t item = static_cast<std::ptrdiff_t>(itemsize);
  if (!swap && source.ndim() > 0 && source.strides()[last] == item &&
      destination.strides()[last] == item) {
    // Rows contiguous on both sides (chunk <-> region copies): one memcpy per row.
    std::size_t row_bytes = source.shape()[last] * itemsize;
    std::vector<std::size_t> outer(source.shape().dims().begin(), source.shape().dims().end() - 1);
    Strides source_outer(source.strides().begin(), source.strides().end() - 1);
    Strides destination_outer(destination.strides().begin(), destination.strides().end() - 1);
    for_each_pair(last, outer, source.data(), source_outer, destination.data(), destination_outer,
                  [&](const std::byte* from, std::byte* to) { std::memcpy(to, from, row_bytes); });
    return;
  }
  for_each_pair(source.ndim(), source.shape().dims(), source.data(), source.strides(),
                destination.data(), destination.strides(),
                [&](const std::byte* from, std::byte* to) {
                  std::memcpy(to, from, itemsize);
                  if (swap) swap_units(to, itemsize, unit);
                });
}

void byteswap_in_place(const MutableArrayView& view) {
  std::size_t unit = view.dtype().swap_unit();
  std::size_t itemsize = view.dtype().itemsize();
  if (unit <= 1 || view.element_count() == 0) return;
  if (view.is_c_contiguous() || view.is_f_contiguous()) {
    std::byte* p = view.data();
    std::size_t n = view.nbytes();
    for (std::size_t offset = 0; offset < n; offset += unit)
      std::reverse(p + offset, p + offset + unit);
    return;
  }
  for_each_pair(view.ndim(), view.shape().dims(), view.data(), view.strides(), view.data(),
                view.strides(),
                [&](const std::byte*, std::byte* element) { swap_units(element, itemsize, unit); });
}

void Array::AlignedDelete::operator()(std::byte* p) const noexcept {
  ::operator delete[](p, std::align_val_t{kAlignment});
}

Array::Array() : Array(DType::of<double>(), Shape{0}, Order::C, true) {}

Array::Array(DType dtype, Shape shape, Order order) : Array(dtype, std::move(shape), order, true) {}

Array::Array(DType dtype, Shape shape, Order order, bool zero)
    : dtype_(dtype), shape_(std::move(shape)), order_(order) {
  nbytes_ = shape_.nbytes(dtype_.itemsize());
  // Never a null buffer, so views of empty arrays still point somewhere valid.
  std::size_t allocation = std::max<std::size_t>(nbytes_, kAlignment);
  data_.reset(static_cast<std::byte*>(::operator new[](allocation, std::align_val_t{kAlignment})));
  if (zero) std::memset(data_.get(), 0, allocation);
}

Array Array::uninitialized(DType dtype, Shape shape, Order order) {
  return Array(dtype, std::move(shape), order, false);
}

Array Array::copy_of(const ArrayView& view, Order order) {
  Array out = uninitialized(view.dtype(), view.shape(), order);
  copy_elements(view, out.mutable_view());
  return out;
}

void Array::check_type(const DType& wanted) const {
  if (!(dtype_ == wanted)) {
    throw Error(ErrorCode::InvalidArgument,
                "array of dtype " + dtype_.str() + " read as " + wanted.str());
  }
}

void Array::to_byte_order(ByteOrder order) {
  DType target = dtype_.with_byte_order(order);
  if (target == dtype_) return;
  byteswap_in_place(mutable_view());
  dtype_ = target;
}

Array Array::to_order(Order order) && {
  if (order == order_ || ndim() <= 1) {
    order_ = order;
    return std::move(*this);
  }
  return copy_of(view(), order);
}

}  // namespace ndbucket
