// DType and Shape: NumPy typestr parsing/formatting, cottoncandy shape metadata.
#include <gtest/gtest.h>

#include "ndbucket/array/dtype.hpp"
#include "ndbucket/array/shape.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

using testing::error_code_of;

TEST(DType, ParsesAndFormatsNumpyTypestrs) {
  for (const char* text : {"<f8", ">f8", "<f4", "<f2", ">f2", "<i8", ">i4", "<i2", "|i1", "|u1",
                           "<u2", ">u8", "|b1", "<c16", ">c8", "|S4", "<U5", ">U1", "|V8"}) {
    EXPECT_EQ(DType::parse(text).str(), text);
  }
}

TEST(DType, NormalisesLikeNumpy) {
  EXPECT_EQ(DType::parse("<u1").str(), "|u1");
  EXPECT_EQ(DType::parse(">b1").str(), "|b1");
  EXPECT_EQ(DType::parse("<S3").str(), "|S3");
  EXPECT_EQ(DType::parse("a3").str(), "|S3");
  EXPECT_EQ(DType::parse("f8"), DType::of<double>());
  EXPECT_EQ(DType::parse("=i4"), DType::of<std::int32_t>());
}

TEST(DType, Properties) {
  DType u = DType::parse("<U5");
  EXPECT_EQ(u.itemsize(), 20u);
  EXPECT_EQ(u.swap_unit(), 4u);
  EXPECT_EQ(u.kind(), DTypeKind::Unicode);
  DType c = DType::parse(">c16");
  EXPECT_EQ(c.itemsize(), 16u);
  EXPECT_EQ(c.swap_unit(), 8u);
  EXPECT_EQ(c.byte_order(), ByteOrder::Big);
  EXPECT_TRUE(c.is_foreign_order());
  EXPECT_EQ(c.native().str(), "<c16");
  EXPECT_TRUE(c.same_except_order(DType::of<std::complex<double>>()));
  EXPECT_EQ(DType::parse("|S4").swap_unit(), 1u);
  EXPECT_EQ(DType::parse("|S4").with_byte_order(ByteOrder::Big).str(), "|S4");
  EXPECT_EQ(DType::of<bool>().str(), "|b1");
  EXPECT_EQ(DType::of<std::uint8_t>().str(), "|u1");
  EXPECT_EQ(DType::of<std::complex<float>>().str(), "<c8");
  EXPECT_EQ(DType::of<std::int64_t>().str(), "<i8");
}

TEST(DType, UnsupportedKindsAreClear) {
  for (const char* text : {"<M8", "<M8[ns]", ">m8[s]", "|O", "|O8", "O", "<f16", "<c32"}) {
    EXPECT_EQ(error_code_of([&] { DType::parse(text); }), ErrorCode::Unsupported) << text;
  }
  try {
    DType::parse("<M8[ns]");
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("<M8[ns]"), std::string::npos);
  }
}

TEST(DType, MalformedIsInvalidArgument) {
  for (const char* text : {"",
                           "<",
                           "<f",
                           "<f3",
                           "<i3",
                           "<b2",
                           "<x8",
                           "f8 ",
                           "<f+8",
                           "<f-8",
                           "<f8x",
                           "|f8",
                           "<S0",
                           "<U0",
                           "|V0",
                           "<i99999999999999999999999",
                           "<S99999999999",
                           "<<f8",
                           "\x01\x02",
                           "<c4",
                           "<u16",
                           "<fffffffffffffffffffffffffffffffffffffff8"}) {
    EXPECT_EQ(error_code_of([&] { DType::parse(text); }), ErrorCode::InvalidArgument) << text;
  }
}

TEST(Shape, CottoncandyMetadata) {
  EXPECT_EQ(Shape({2, 3, 4}).to_metadata(), "2,3,4");
  EXPECT_EQ(Shape({5}).to_metadata(), "5");
  EXPECT_EQ(Shape().to_metadata(), "");
  EXPECT_EQ(Shape({0, 3}).to_metadata(), "0,3");
  EXPECT_EQ(Shape::from_metadata("2,3,4"), Shape({2, 3, 4}));
  EXPECT_EQ(Shape::from_metadata(""), Shape());
  EXPECT_EQ(Shape::from_metadata("5"), Shape({5}));
  EXPECT_EQ(Shape::from_metadata("5,"), Shape({5}));
  EXPECT_EQ(Shape::from_metadata("2, 3"), Shape({2, 3}));
  EXPECT_EQ(Shape::from_metadata("0,3"), Shape({0, 3}));
  for (const char* bad : {"a", "2,,3", "-1", "2;3", "(2,3)", "1,2,x", "99999999999999999999",
                          "4294967296,4294967296,4"}) {
    EXPECT_EQ(error_code_of([&] { Shape::from_metadata(bad); }), ErrorCode::InvalidArgument) << bad;
  }
}

TEST(Shape, CountsStridesAndTuples) {
  EXPECT_EQ(Shape().element_count(), 1u);
  EXPECT_EQ(Shape({0, 3}).element_count(), 0u);
  EXPECT_EQ(Shape({2, 3, 4}).nbytes(8), 192u);
  EXPECT_EQ(Shape({2, 3, 4}).contiguous_strides(8, Order::C), (Strides{96, 32, 8}));
  EXPECT_EQ(Shape({2, 3, 4}).contiguous_strides(8, Order::F), (Strides{8, 16, 48}));
  EXPECT_EQ(Shape().to_tuple(), "()");
  EXPECT_EQ(Shape({5}).to_tuple(), "(5,)");
  EXPECT_EQ(Shape({2, 3}).to_tuple(), "(2, 3)");
  EXPECT_EQ(error_code_of([] {
              Shape({std::size_t{1} << 40, std::size_t{1} << 30}).nbytes(8);
            }),
            ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ndbucket
