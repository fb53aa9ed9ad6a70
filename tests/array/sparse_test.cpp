// Sparse matrices: Eigen csr/csc and coo round trips, every cottoncandy type read back
// (bsr and dia built by hand), the metadata.json text, and tampered objects.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "ndbucket/array/eigen.hpp"
#include "ndbucket/array/sparse.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

using testing::error_code_of;

Eigen::MatrixXd dense_example() {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(4, 6);
  m(0, 1) = 1.5;
  m(1, 0) = -2;
  m(1, 5) = 3;
  m(3, 2) = 4.25;
  m(3, 3) = 5;
  return m;
}

class Sparse : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryStore> store_ = std::make_shared<MemoryStore>();
  ArrayStore arrays_{store_};
};

TEST_F(Sparse, EigenRowAndColumnMajor) {
  Eigen::MatrixXd dense = dense_example();
  Eigen::SparseMatrix<double, Eigen::RowMajor> csr = dense.sparseView();
  Eigen::SparseMatrix<double> csc = dense.sparseView();
  save_sparse(arrays_, "m/csr", csr);
  save_sparse(arrays_, "m/csc", csc, {.compression = "Zstd", .metadata = {}});
  EXPECT_EQ(as_string_view(store_->get("m/csr/metadata.json").body),
            R"({"type": "csr", "attrs": ["data", "indices", "indptr"], "shape": [4, 6]})");
  EXPECT_EQ(store_->head("m/csr/indptr")->metadata.at("dtype"), "<i4");
  EXPECT_EQ(store_->head("m/csr/indptr")->metadata.at("shape"), "5");
  EXPECT_EQ(store_->head("m/csc/indptr")->metadata.at("shape"), "7");
  EXPECT_EQ(Eigen::MatrixXd(load_sparse<double>(arrays_, "m/csr")), dense);
  EXPECT_EQ(Eigen::MatrixXd(load_sparse<double, Eigen::RowMajor>(arrays_, "m/csc")), dense);
  // Not compressed: saved from a compressed copy.
  Eigen::SparseMatrix<double> loose(4, 6);
  loose.insert(2, 2) = 7;
  save_sparse(arrays_, "m/loose", loose);
  EXPECT_EQ(load_sparse<double>(arrays_, "m/loose").coeff(2, 2), 7);
  // Empty matrix and a wrong scalar type.
  Eigen::SparseMatrix<float> empty(3, 0);
  save_sparse(arrays_, "m/empty", empty);
  EXPECT_EQ(load_sparse<float>(arrays_, "m/empty").rows(), 3);
  EXPECT_EQ(error_code_of([&] { load_sparse<float>(arrays_, "m/csr"); }),
            ErrorCode::InvalidArgument);
}

TEST_F(Sparse, CooWithDuplicates) {
  Triplets t;
  t.rows = 3;
  t.cols = 3;
  t.row = {0, 2, 2, 0};
  t.col = {1, 2, 2, 1};
  t.data = Array::from_vector(std::vector<std::int32_t>{1, 2, 3, 4});
  save_coo(arrays_, "coo", t);
  EXPECT_EQ(as_string_view(store_->get("coo/metadata.json").body),
            R"({"type": "coo", "attrs": ["row", "col", "data"], "shape": [3, 3]})");
  Triplets back = to_triplets(load_sparse_arrays(arrays_, "coo"), "coo");
  EXPECT_EQ(back.row, t.row);
  EXPECT_EQ(back.data.to_vector<std::int32_t>(), t.data.to_vector<std::int32_t>());
  auto m = load_sparse<std::int32_t>(arrays_, "coo");
  EXPECT_EQ(m.coeff(0, 1), 5);
  EXPECT_EQ(m.coeff(2, 2), 5);
  t.row.pop_back();
  EXPECT_EQ(error_code_of([&] { save_coo(arrays_, "bad", t); }), ErrorCode::InvalidArgument);
}

TEST_F(Sparse, BsrAndDia) {
  // bsr: 4x6 with 2x3 blocks; block row 0 has block col 1, block row 1 has block col 0.
  SparseArrays bsr;
  bsr.type = "bsr";
  bsr.rows = 4;
  bsr.cols = 6;
  std::vector<double> blocks(12);
  for (int i = 0; i < 12; ++i) blocks[i] = i + 1;
  bsr.attrs.emplace("data", Array::from_vector(blocks, Shape{2, 2, 3}));
  bsr.attrs.emplace("indices", Array::from_vector(std::vector<std::int32_t>{1, 0}));
  bsr.attrs.emplace("indptr", Array::from_vector(std::vector<std::int32_t>{0, 1, 2}));
  save_sparse_arrays(arrays_, "bsr", bsr);
  Eigen::MatrixXd m = load_sparse<double>(arrays_, "bsr");
  EXPECT_EQ(m(0, 3), 1);
  EXPECT_EQ(m(1, 5), 6);
  EXPECT_EQ(m(2, 0), 7);
  EXPECT_EQ(m(3, 2), 12);
  EXPECT_EQ(m.sum(), 78);
  // dia: 3x4, offsets 0 and 1 (scipy: data[k, j] is A[j - offsets[k], j]).
  SparseArrays dia;
  dia.type = "dia";
  dia.rows = 3;
  dia.cols = 4;
  dia.attrs.emplace("data",
                    Array::from_vector(std::vector<float>{1, 2, 3, 9, 0, 5, 6, 7}, Shape{2, 4}));
  dia.attrs.emplace("offsets", Array::from_vector(std::vector<std::int64_t>{0, 1}));
  save_sparse_arrays(arrays_, "dia", dia);
  Eigen::MatrixXf d = load_sparse<float>(arrays_, "dia");
  Eigen::MatrixXf expected(3, 4);
  expected << 1, 5, 0, 0, 0, 2, 6, 0, 0, 0, 3, 7;
  EXPECT_EQ(d, expected);
}

TEST_F(Sparse, TamperedObjectsAreCorrupt) {
  Eigen::SparseMatrix<double, Eigen::RowMajor> csr = dense_example().sparseView();
  auto tamper = [&](const std::string& attr, std::vector<std::int32_t> values) {
    save_sparse(arrays_, "t", csr);
    arrays_.save("t/" + attr, Array::from_vector(values).view());
    return error_code_of([&] { load_sparse<double>(arrays_, "t"); });
  };
  EXPECT_EQ(tamper("indices", {1, 0, 5, 2, 6}), ErrorCode::Corrupt);   // column 6 of 6
  EXPECT_EQ(tamper("indices", {1, 0, 5, -1, 3}), ErrorCode::Corrupt);  // negative
  EXPECT_EQ(tamper("indptr", {0, 1, 3, 3}), ErrorCode::Corrupt);       // short
  EXPECT_EQ(tamper("indptr", {0, 3, 1, 3, 5}), ErrorCode::Corrupt);    // decreasing
  EXPECT_EQ(tamper("indptr", {0, 1, 3, 3, 50}), ErrorCode::Corrupt);   // past data
  EXPECT_EQ(tamper("indptr", {1, 1, 3, 3, 5}), ErrorCode::Corrupt);    // not from 0
  save_sparse(arrays_, "t", csr);
  arrays_.save("t/indices", Array::from_vector(std::vector<double>{1, 0, 5, 2, 3}).view());
  EXPECT_EQ(error_code_of([&] { load_sparse<double>(arrays_, "t"); }), ErrorCode::Corrupt);
  save_sparse(arrays_, "t", csr);
  store_->remove("t/indptr");
  EXPECT_EQ(error_code_of([&] { load_sparse<double>(arrays_, "t"); }), ErrorCode::Corrupt);
  for (const char* text :
       {"not json", "{}", R"({"type": "csr", "attrs": [], "shape": [4, 6]})",
        R"({"type": "csr", "attrs": ["data", "indices", "indptr"], "shape": [4]})",
        R"({"type": 5, "attrs": ["data"], "shape": [4, 6]})"}) {
    save_sparse(arrays_, "t", csr);
    store_->put("t/metadata.json", as_bytes(text));
    EXPECT_EQ(error_code_of([&] { load_sparse<double>(arrays_, "t"); }), ErrorCode::Corrupt)
        << text;
  }
  store_->put("t/metadata.json", as_bytes(R"({"type": "lil", "attrs": [], "shape": [4, 6]})"));
  EXPECT_EQ(error_code_of([&] { load_sparse<double>(arrays_, "t"); }), ErrorCode::Unsupported);
  EXPECT_EQ(error_code_of([&] { load_sparse<double>(arrays_, "nothing"); }), ErrorCode::NotFound);
  SparseArrays wrong;
  wrong.type = "csr";
  EXPECT_EQ(error_code_of([&] { save_sparse_arrays(arrays_, "w", wrong); }),
            ErrorCode::InvalidArgument);
  wrong.type = "lil";
  EXPECT_EQ(error_code_of([&] { save_sparse_arrays(arrays_, "w", wrong); }),
            ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ndbucket
