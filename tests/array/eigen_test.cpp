// Eigen interop: matrices in both storage orders, maps, blocks, tensors.
#include <gtest/gtest.h>

#include "ndbucket/array/eigen.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

using testing::error_code_of;

TEST(Eigen, ColumnAndRowMajorMatricesViewTheSameValues) {
  Eigen::MatrixXd col(2, 3);
  col << 1, 2, 3, 4, 5, 6;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row = col;
  ArrayView cv = as_array_view(col);
  ArrayView rv = as_array_view(row);
  EXPECT_TRUE(cv.is_f_contiguous());
  EXPECT_TRUE(rv.is_c_contiguous());
  std::vector<double> expected{1, 2, 3, 4, 5, 6};
  EXPECT_EQ(Array::copy_of(cv).to_vector<double>(), expected);
  EXPECT_EQ(Array::copy_of(rv).to_vector<double>(), expected);
  // Back to Eigen in either order.
  Array a = Array::copy_of(cv);
  EXPECT_EQ(to_eigen_matrix<double>(a.view()), col);
  EXPECT_EQ((to_eigen_matrix<double, Eigen::RowMajor>(a.view())), row);
  EXPECT_EQ(error_code_of([&] { to_eigen_matrix<float>(a.view()); }), ErrorCode::InvalidArgument);
}

TEST(Eigen, BlocksAreStridedViews) {
  Eigen::MatrixXf m(4, 5);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) m(i, j) = static_cast<float>(i * 10 + j);
  auto block = m.block(1, 2, 2, 3);
  ArrayView v = as_array_view(block);
  EXPECT_FALSE(v.is_c_contiguous());
  EXPECT_FALSE(v.is_f_contiguous());
  EXPECT_EQ(Array::copy_of(v).to_vector<float>(), (std::vector<float>{12, 13, 14, 22, 23, 24}));
}

TEST(Eigen, MapsWithoutCopy) {
  Array a = Array::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{2, 3});
  auto map = eigen_map<double, Eigen::RowMajor>(a.mutable_view());
  EXPECT_EQ(map(1, 0), 4.0);
  map(0, 1) = 20;
  EXPECT_EQ(a.values<double>()[1], 20.0);
  EXPECT_EQ(error_code_of([&] { eigen_map<double>(a.mutable_view()); }),
            ErrorCode::InvalidArgument);
  Array big = Array::from_vector(std::vector<double>{1, 2}, Shape{1, 2});
  big.to_byte_order(ByteOrder::Big);
  EXPECT_EQ(error_code_of([&] { eigen_map<double, Eigen::RowMajor>(big.mutable_view()); }),
            ErrorCode::InvalidArgument);
  // A byte-swapped array converts by copy.
  EXPECT_EQ(to_eigen_matrix<double>(big.view())(0, 1), 2.0);
}

TEST(Eigen, VectorsAndOneDimensionalArrays) {
  Array a = Array::from_vector(std::vector<std::int32_t>{7, 8, 9});
  Eigen::MatrixXi v = to_eigen_matrix<std::int32_t>(a.view());
  EXPECT_EQ(v.rows(), 3);
  EXPECT_EQ(v.cols(), 1);
  EXPECT_EQ(v(2, 0), 9);
  Eigen::VectorXd x(3);
  x << 1, 2, 3;
  EXPECT_EQ(as_array_view(x).shape(), Shape({3, 1}));
}

TEST(Eigen, Tensors) {
  Eigen::Tensor<double, 3> t(2, 3, 4);  // column-major
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) t(i, j, k) = i * 100 + j * 10 + k;
  ArrayView v = as_array_view(t);
  EXPECT_TRUE(v.is_f_contiguous());
  Array c = Array::copy_of(v);
  std::vector<double> values = c.to_vector<double>();
  EXPECT_EQ(values[1 * 12 + 2 * 4 + 3], 123.0);
  auto back = to_eigen_tensor<double, 3, Eigen::RowMajor>(c.view());
  EXPECT_EQ(back(1, 2, 3), 123.0);
  auto map = eigen_tensor_map<double, 3, Eigen::RowMajor>(c.mutable_view());
  EXPECT_EQ(map(1, 0, 2), 102.0);
  EXPECT_EQ(error_code_of([&] { (void)eigen_tensor_map<double, 3>(c.mutable_view()); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { (void)to_eigen_tensor<double, 2>(c.view()); }),
            ErrorCode::InvalidArgument);
  Eigen::TensorMap<Eigen::Tensor<double, 3>> tm(t.data(), 2, 3, 4);
  EXPECT_EQ(Array::copy_of(as_array_view(tm)).to_vector<double>(), values);
}

}  // namespace
}  // namespace ndbucket
