// Eigen interop: views of Eigen matrices and tensors as arrays, and arrays as Eigen objects.
//
// Eigen matrices are column-major unless declared RowMajor, and Eigen::Tensor is column-major by
// default, while NumPy and cottoncandy default to C (row-major) order. A view keeps the storage
// order through its strides, so saving a column-major matrix writes the right (row, column)
// values either way; loads produce the storage order the caller asks for.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <unsupported/Eigen/CXX11/Tensor>

#include "ndbucket/array/array.hpp"

namespace ndbucket {

// A 2-d (rows, cols) view of any Eigen dense object with direct access (Matrix, Array, Map, Ref,
// blocks of them), keeping its strides: no copy. The object must outlive the view.
// Thread safety: as the object.
template <typename Derived>
ArrayView as_array_view(const Eigen::DenseBase<Derived>& matrix) {
  static_assert(bool(Derived::Flags & Eigen::DirectAccessBit), "needs an object with data()");
  using Scalar = typename Derived::Scalar;
  const Derived& m = matrix.derived();
  auto size = static_cast<std::ptrdiff_t>(sizeof(Scalar));
  std::ptrdiff_t inner = m.innerStride() * size;
  std::ptrdiff_t outer = m.outerStride() * size;
  Strides strides = Derived::IsRowMajor ? Strides{outer, inner} : Strides{inner, outer};
  return ArrayView(reinterpret_cast<const std::byte*>(m.data()), DType::of<Scalar>(),
                   Shape{static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())},
                   std::move(strides));
}

// A writable view of an Eigen dense object, as as_array_view.
template <typename Derived>
MutableArrayView as_mutable_array_view(Eigen::DenseBase<Derived>& matrix) {
  ArrayView view = as_array_view(matrix);
  return MutableArrayView(const_cast<std::byte*>(view.data()), view.dtype(), view.shape(),
                          view.strides());
}

// A copy of a 2-d view (or a 1-d view as a column vector) as an Eigen matrix with `Options`
// storage order; elements in the other byte order are swapped.
// Errors: InvalidArgument when the dtype is not Scalar's (up to byte order) or ndim > 2.
template <typename Scalar, int Options = Eigen::ColMajor>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Options> to_eigen_matrix(
    const ArrayView& view) {
  if (view.ndim() == 0 || view.ndim() > 2) {
    throw Error(ErrorCode::InvalidArgument,
                "to_eigen_matrix: a " + std::to_string(view.ndim()) + "-d array is not a matrix");
  }
  auto rows = static_cast<Eigen::Index>(view.shape()[0]);
  auto cols = static_cast<Eigen::Index>(view.ndim() == 2 ? view.shape()[1] : 1);
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Options> out(rows, cols);
  MutableArrayView target = as_mutable_array_view(out);
  if (view.ndim() == 1) {
    target = MutableArrayView(target.data(), target.dtype(), view.shape(),
                              Strides{static_cast<std::ptrdiff_t>(sizeof(Scalar))});
  }
  copy_elements(view, target);
  return out;
}

// An Eigen::Map over a contiguous 2-d view in native byte order: no copy. The map is row-major
// for RowMajor `Options`, so the view must be C-contiguous then and F-contiguous otherwise.
// Errors: InvalidArgument for another dtype, ndim or layout.
template <typename Scalar, int Options = Eigen::ColMajor>
Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Options>> eigen_map(
    const MutableArrayView& view) {
  bool row_major = (Options & Eigen::RowMajor) != 0;
  if (!(view.dtype() == DType::of<Scalar>()) || view.ndim() != 2 ||
      !(row_major ? view.is_c_contiguous() : view.is_f_contiguous())) {
    throw Error(ErrorCode::InvalidArgument,
                "eigen_map: needs a " + std::string(row_major ? "C" : "Fortran") +
                    "-contiguous 2-d " + DType::of<Scalar>().str() + " array, got " +
                    view.dtype().str() + " " + view.shape().to_tuple());
  }
  return {reinterpret_cast<Scalar*>(view.data()), static_cast<Eigen::Index>(view.shape()[0]),
          static_cast<Eigen::Index>(view.shape()[1])};
}

namespace detail {
template <typename Scalar, typename Dimensions>
Shape tensor_shape(const Dimensions& dims) {
  std::vector<std::size_t> extents;
  for (std::size_t i = 0; i < static_cast<std::size_t>(dims.size()); ++i) {
    extents.push_back(static_cast<std::size_t>(dims[i]));
  }
  return Shape(std::move(extents));
}
}  // namespace detail

// A view of an Eigen::Tensor (column-major by default: a Fortran-order view) without a copy.
template <typename Scalar, int Rank, int Layout, typename Index>
ArrayView as_array_view(const Eigen::Tensor<Scalar, Rank, Layout, Index>& tensor) {
  return ArrayView(reinterpret_cast<const std::byte*>(tensor.data()), DType::of<Scalar>(),
                   detail::tensor_shape<Scalar>(tensor.dimensions()),
                   Layout == Eigen::RowMajor ? Order::C : Order::F);
}

// A view of an Eigen::TensorMap, as for Eigen::Tensor.
template <typename Scalar, int Rank, int Layout, typename Index>
ArrayView as_array_view(
    const Eigen::TensorMap<Eigen::Tensor<Scalar, Rank, Layout, Index>>& tensor) {
  return ArrayView(reinterpret_cast<const std::byte*>(tensor.data()), DType::of<Scalar>(),
                   detail::tensor_shape<Scalar>(tensor.dimensions()),
                   Layout == Eigen::RowMajor ? Order::C : Order::F);
}

// A copy of a view as an Eigen::Tensor of rank Rank and layout Layout (column-major by default,
// as Eigen's); elements in the other byte order are swapped.
// Errors: InvalidArgument when the dtype is not Scalar's (up to byte order) or ndim != Rank.
template <typename Scalar, int Rank, int Layout = Eigen::ColMajor>
Eigen::Tensor<Scalar, Rank, Layout> to_eigen_tensor(const ArrayView& view) {
  if (view.ndim() != static_cast<std::size_t>(Rank)) {
    throw Error(ErrorCode::InvalidArgument, "to_eigen_tensor: a " + std::to_string(view.ndim()) +
                                                "-d array is not of rank " + std::to_string(Rank));
  }
  std::array<Eigen::Index, Rank> dims{};
  for (int i = 0; i < Rank; ++i) dims[i] = static_cast<Eigen::Index>(view.shape()[i]);
  Eigen::Tensor<Scalar, Rank, Layout> out(dims);
  MutableArrayView target(reinterpret_cast<std::byte*>(out.data()), DType::of<Scalar>(),
                          view.shape(), Layout == Eigen::RowMajor ? Order::C : Order::F);
  copy_elements(view, target);
  return out;
}

// An Eigen::TensorMap over a contiguous view in native byte order: no copy. The view must be
// C-contiguous for a RowMajor layout, F-contiguous for ColMajor.
// Errors: InvalidArgument for another dtype, rank or layout.
template <typename Scalar, int Rank, int Layout = Eigen::ColMajor>
Eigen::TensorMap<Eigen::Tensor<Scalar, Rank, Layout>> eigen_tensor_map(
    const MutableArrayView& view) {
  bool row_major = Layout == Eigen::RowMajor;
  if (!(view.dtype() == DType::of<Scalar>()) || view.ndim() != static_cast<std::size_t>(Rank) ||
      !(row_major ? view.is_c_contiguous() : view.is_f_contiguous())) {
    throw Error(ErrorCode::InvalidArgument,
                "eigen_tensor_map: needs a " + std::string(row_major ? "C" : "Fortran") +
                    "-contiguous rank-" + std::to_string(Rank) + " " + DType::of<Scalar>().str() +
                    " array, got " + view.dtype().str() + " " + view.shape().to_tuple());
  }
  std::array<Eigen::Index, Rank> dims{};
  for (int i = 0; i < Rank; ++i) dims[i] = static_cast<Eigen::Index>(view.shape()[i]);
  return Eigen::TensorMap<Eigen::Tensor<Scalar, Rank, Layout>>(
      reinterpret_cast<Scalar*>(view.data()), dims);
}

}  // namespace ndbucket
