// format_array: NumPy-like printing of every kind, summarising, strided and swapped views.
#include <gtest/gtest.h>

#include <cstring>

#include "ndbucket/array/format.hpp"

namespace ndbucket {
namespace {

TEST(Format, NumbersLikeNumpy) {
  Array a = Array::from_vector(std::vector<double>{1, 2.5, -3, 4, 5, 6}, Shape{2, 3});
  EXPECT_EQ(format_array(a.view()), "[[1. 2.5 -3.]\n [4. 5. 6.]]");
  Array i = Array::from_vector(std::vector<std::int32_t>{1, 2, 3, 4, 5, 6, 7, 8}, Shape{2, 2, 2});
  EXPECT_EQ(format_array(i.view()), "[[[1 2]\n  [3 4]]\n\n [[5 6]\n  [7 8]]]");
  Array scalar = Array::from_vector(std::vector<std::int64_t>{42}, Shape{});
  EXPECT_EQ(format_array(scalar.view()), "42");
  EXPECT_EQ(format_array(Array(DType::of<float>(), Shape{0}).view()), "[]");
  i.to_byte_order(ByteOrder::Big);
  EXPECT_EQ(format_array(i.view()), "[[[1 2]\n  [3 4]]\n\n [[5 6]\n  [7 8]]]");
}

TEST(Format, OtherKinds) {
  Array b = Array::from_vector(std::vector<std::uint8_t>{1, 0});
  Array bools(DType::parse("|b1"), Shape{2});
  std::memcpy(bools.data(), b.data(), 2);
  EXPECT_EQ(format_array(bools.view()), "[True False]");
  Array z = Array::from_vector(std::vector<std::complex<double>>{{1, -2}});
  EXPECT_EQ(format_array(z.view()), "[(1-2j)]");
  Array s(DType::parse("|S3"), Shape{1});
  std::memcpy(s.data(), "ab", 2);
  EXPECT_EQ(format_array(s.view()), "[b'ab']");
  Array u(DType::parse("<U2"), Shape{1});
  u.data()[0] = std::byte{'h'};
  EXPECT_EQ(format_array(u.view()), "['h']");
  Array half(DType::parse("<f2"), Shape{1});
  half.data()[1] = std::byte{0x3c};  // 1.0
  EXPECT_EQ(format_array(half.view()), "[1.]");
}

TEST(Format, Summarises) {
  std::vector<std::int16_t> values(2000);
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = static_cast<std::int16_t>(k);
  Array a = Array::from_vector(values);
  EXPECT_EQ(format_array(a.view()), "[0 1 2 ... 1997 1998 1999]");
  ArrayView strided(a.data(), a.dtype(), Shape{3}, Strides{2 * 100});
  EXPECT_EQ(format_array(strided), "[0 100 200]");
}

}  // namespace
}  // namespace ndbucket
