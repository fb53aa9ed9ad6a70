// ArrayView and Array: contiguity, strided copies, byte swapping, vectors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "ndbucket/array/array.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

using testing::error_code_of;

TEST(ArrayView, Contiguity) {
  std::vector<double> values(24);
  ArrayView c = ArrayView::of(std::span<const double>(values), Shape{2, 3, 4});
  EXPECT_TRUE(c.is_c_contiguous());
  EXPECT_FALSE(c.is_f_contiguous());
  ArrayView f = ArrayView::of(std::span<const double>(values), Shape{2, 3, 4}, Order::F);
  EXPECT_TRUE(f.is_f_contiguous());
  EXPECT_FALSE(f.is_c_contiguous());
  ArrayView one(reinterpret_cast<const std::byte*>(values.data()), DType::of<double>(), Shape{1, 5},
                Strides{999, 8});
  EXPECT_TRUE(one.is_c_contiguous());
  EXPECT_TRUE(one.is_f_contiguous());
  ArrayView sliced(reinterpret_cast<const std::byte*>(values.data()), DType::of<double>(),
                   Shape{2, 3}, Strides{96, 16});
  EXPECT_FALSE(sliced.is_c_contiguous());
  EXPECT_FALSE(sliced.is_f_contiguous());
  EXPECT_EQ(error_code_of([&] { (void)sliced.bytes(); }), ErrorCode::InvalidArgument);
  ArrayView scalar(reinterpret_cast<const std::byte*>(values.data()), DType::of<double>(), Shape{});
  EXPECT_TRUE(scalar.is_c_contiguous());
  EXPECT_EQ(scalar.nbytes(), 8u);
  EXPECT_EQ(error_code_of([&] { ArrayView::of(std::span<const double>(values), Shape{5}); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] {
              ArrayView(nullptr, DType::of<double>(), Shape{2}, Strides{8, 8});
            }),
            ErrorCode::InvalidArgument);
}

TEST(Array, IsAlignedAndZeroed) {
  for (std::size_t n : {0u, 1u, 7u, 1000u}) {
    Array a(DType::of<float>(), Shape{n});
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a.data()) % Array::kAlignment, 0u);
    EXPECT_EQ(a.nbytes(), n * 4);
    for (float v : a.values<float>()) EXPECT_EQ(v, 0.0f);
  }
}

TEST(Array, StridedCopyToCOrder) {
  std::vector<std::int32_t> values(24);
  std::iota(values.begin(), values.end(), 0);
  // A transposed view of a C-ordered (2,3,4): shape (4,3,2).
  ArrayView transposed(reinterpret_cast<const std::byte*>(values.data()), DType::of<std::int32_t>(),
                       Shape{4, 3, 2}, Strides{4, 16, 48});
  Array copy = Array::copy_of(transposed);
  std::vector<std::int32_t> got = copy.to_vector<std::int32_t>();
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 2; ++k)
        EXPECT_EQ(got[i * 6 + j * 2 + k], static_cast<std::int32_t>(k * 12 + j * 4 + i));
  // Reversed (negative stride) 1-d view.
  ArrayView reversed(reinterpret_cast<const std::byte*>(values.data() + 23),
                     DType::of<std::int32_t>(), Shape{24}, Strides{-4});
  std::vector<std::int32_t> back = Array::copy_of(reversed).to_vector<std::int32_t>();
  EXPECT_EQ(back.front(), 23);
  EXPECT_EQ(back.back(), 0);
  // F-order copy, then back to C.
  Array f = Array::copy_of(transposed, Order::F);
  EXPECT_EQ(f.order(), Order::F);
  EXPECT_EQ(f.to_vector<std::int32_t>(), got);
  Array c = std::move(f).to_order(Order::C);
  EXPECT_EQ(
      std::vector<std::int32_t>(c.values<std::int32_t>().begin(), c.values<std::int32_t>().end()),
      got);
}

TEST(Array, ByteSwapping) {
  Array a = Array::from_vector(std::vector<std::uint32_t>{0x01020304u, 0xA0B0C0D0u});
  a.to_byte_order(ByteOrder::Big);
  EXPECT_EQ(a.dtype().str(), ">u4");
  EXPECT_EQ(a.data()[0], std::byte{0x01});
  EXPECT_EQ(a.data()[3], std::byte{0x04});
  EXPECT_EQ(error_code_of([&] { a.values<std::uint32_t>(); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(a.to_vector<std::uint32_t>(), (std::vector<std::uint32_t>{0x01020304u, 0xA0B0C0D0u}));
  a.to_byte_order(ByteOrder::Little);
  EXPECT_EQ(a.values<std::uint32_t>()[1], 0xA0B0C0D0u);
  // Complex swaps each half.
  Array z = Array::from_vector(std::vector<std::complex<double>>{{1.5, -2.0}});
  z.to_byte_order(ByteOrder::Big);
  double re = 0;
  std::byte swapped[8];
  std::memcpy(swapped, z.data(), 8);
  std::reverse(swapped, swapped + 8);
  std::memcpy(&re, swapped, 8);
  EXPECT_EQ(re, 1.5);
  EXPECT_EQ(z.to_vector<std::complex<double>>()[0], std::complex<double>(1.5, -2.0));
  EXPECT_EQ(error_code_of([&] { z.to_vector<double>(); }), ErrorCode::InvalidArgument);
}

TEST(Array, FromVectorShapeMismatch) {
  EXPECT_EQ(error_code_of([] {
              Array::from_vector(std::vector<double>(5), Shape{2, 3});
            }),
            ErrorCode::InvalidArgument);
  Array a = Array::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{2, 3}, Order::F);
  EXPECT_EQ(a.order(), Order::F);
  // F order: element (i, j) at j*2 + i; to_vector gives C order.
  EXPECT_EQ(a.to_vector<double>(), (std::vector<double>{1, 3, 5, 2, 4, 6}));
}

TEST(Array, CopyElementsChecks) {
  Array a(DType::of<double>(), Shape{2, 3});
  Array b(DType::of<float>(), Shape{2, 3});
  Array c(DType::of<double>(), Shape{3, 2});
  EXPECT_EQ(error_code_of([&] { copy_elements(a.view(), b.mutable_view()); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { copy_elements(a.view(), c.mutable_view()); }),
            ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ndbucket
