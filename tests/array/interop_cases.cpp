// The cases of the interop tests (see interop_cases.hpp).
#include "array/interop_cases.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include <Eigen/Dense>
#include <sstream>

#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/npy.hpp"
#include "ndbucket/array/sparse.hpp"
#include "ndbucket/store/file_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket::interop {
namespace {

using nlohmann::json;

using testing::read_file;
using testing::write_file;

const char* const kDtypes[] = {"<f8", ">f8", "<f4", "<f2", "<i8",  ">i4", "<i2", "|i1", "|u1",
                               "<u2", ">u4", "<u8", "|b1", "<c16", ">c8", "|S4", "<U5", "|V8"};
const char* const kCompressions[] = {"none", "gzip", "GZIP", "Zstd", "LZ4",
                                     "Zlib", "BZ2",  "lzma", "Blosc"};

}  // namespace

json write_cpp_cases(const fs::path& dir, std::shared_ptr<ObjectStore> store) {
  fs::path root = dir / "cpp";
  fs::create_directories(root);
  ArrayStore arrays(store);
  json manifest = json::array();
  std::mt19937 rng(99);
  int n = 0;
  auto add = [&](const ArrayView& view, const std::string& compression, const Array& c_order) {
    std::string key = "k" + std::to_string(n);
    arrays.save(key, view, {.compression = compression, .metadata = {{"note", key}}});
    std::string expected = "e" + std::to_string(n) + ".bin";
    write_file(root / expected, c_order.bytes());
    manifest.push_back({{"body", key},
                        {"expected", expected},
                        {"metadata", store->head(key)->metadata},
                        {"user", {{"note", key}}}});
    ++n;
  };
  for (const char* typestr : kDtypes) {
    DType dtype = DType::parse(typestr);
    for (const char* compression : kCompressions) {
      for (const Shape& shape : {Shape{}, Shape{7}, Shape{2, 3, 4}, Shape{0}, Shape{0, 3}}) {
        std::string name = compression;
        if (shape.element_count() == 0 && (name == "LZ4" || name == "Zstd" || name == "Blosc")) {
          continue;  // numcodecs 0.11 cannot decode empty lz4/zstd/blosc (see docs/codecs.md)
        }
        Array a(dtype, shape);
        for (std::byte& b : a.bytes()) {
          b = static_cast<std::byte>(rng() & (dtype.kind() == DTypeKind::Bool ? 1 : 0xff));
        }
        add(a.view(), compression, a);
      }
    }
  }
  // Fortran-ordered and strided input is written in C order.
  std::vector<double> values(24);
  for (int i = 0; i < 24; ++i) values[i] = i * 1.5;
  Array f = Array::from_vector(values, Shape{2, 3, 4}, Order::F);
  ArrayView transposed(reinterpret_cast<const std::byte*>(values.data()), DType::of<double>(),
                       Shape{4, 3, 2}, Strides{8, 32, 96});
  for (const char* compression : {"none", "gzip", "Zstd"}) {
    add(f.view(), compression, Array::copy_of(f.view()));
    add(transposed, compression, Array::copy_of(transposed));
  }
  std::ofstream(root / "manifest.json") << manifest.dump();
  return manifest;
}

json write_npy_cases(const fs::path& dir) {
  fs::path root = dir / "npy_cpp";
  fs::create_directories(root);
  json manifest = json::array();
  std::mt19937 rng(7);
  int n = 0;
  for (const char* typestr : kDtypes) {
    DType dtype = DType::parse(typestr);
    for (int version : {0, 2, 3}) {
      for (Order order : {Order::C, Order::F}) {
        for (const Shape& shape : {Shape{}, Shape{5}, Shape{3, 4}, Shape{2, 3, 4}, Shape{0, 2}}) {
          Array a(dtype, shape, order);
          for (std::byte& b : a.bytes()) {
            b = static_cast<std::byte>(rng() & (dtype.kind() == DTypeKind::Bool ? 1 : 0xff));
          }
          std::string file = "a" + std::to_string(n) + ".npy";
          std::string expected = "a" + std::to_string(n) + ".expected";
          save_npy_file(root / file, a.view(), {.version = version});
          write_file(root / expected, Array::copy_of(a.view()).bytes());
          bool fortran = order == Order::F && !a.view().is_c_contiguous();
          manifest.push_back({{"file", file},
                              {"expected", expected},
                              {"dtype", dtype.str()},
                              {"shape", shape.dims()},
                              {"fortran", fortran},
                              {"version", version}});
          ++n;
        }
      }
    }
  }
  std::ofstream(root / "manifest.json") << manifest.dump();
  return manifest;
}

json write_sparse_cases(const fs::path& dir, std::shared_ptr<ObjectStore> store) {
  fs::path root = dir / "sparse_cpp";
  fs::create_directories(root);
  ArrayStore arrays(store);
  json matrices = json::array();
  auto expect_dense = [&](const std::string& name, const std::string& type,
                          const Eigen::MatrixXd& dense) {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> c_order = dense;
    write_file(root / (name + ".dense"),
               ByteSpan(reinterpret_cast<const std::byte*>(c_order.data()),
                        static_cast<std::size_t>(c_order.size()) * sizeof(double)));
    matrices.push_back({{"name", name}, {"type", type}, {"expected", name + ".dense"}});
  };
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> value(-5, 5);
  int n = 0;
  for (auto [rows, cols] :
       {std::pair{10, 8}, std::pair{1, 30}, std::pair{0, 4}, std::pair{50, 40}}) {
    Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(rows, cols);
    for (int i = 0; i < rows; ++i)
      for (int j = 0; j < cols; ++j)
        if (rng() % 3 == 0) dense(i, j) = value(rng);
    for (const char* compression : {"gzip", "none", "Zstd", "LZ4"}) {
      // numcodecs cannot decode empty zstd/lz4 bodies (docs/codecs.md).
      if (rows == 0 && compression[0] != 'g' && compression[0] != 'n') continue;
      ArraySaveOptions options{.compression = compression, .metadata = {}};
      std::string name = "m" + std::to_string(n++);
      Eigen::SparseMatrix<double, Eigen::RowMajor> csr = dense.sparseView();
      save_sparse(arrays, name + "csr", csr, options);
      expect_dense(name + "csr", "csr", dense);
      Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t> csc = dense.sparseView();
      save_sparse(arrays, name + "csc", csc, options);
      expect_dense(name + "csc", "csc", dense);
      Triplets t;
      t.rows = static_cast<std::size_t>(rows);
      t.cols = static_cast<std::size_t>(cols);
      std::vector<double> values;
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
          if (dense(i, j) != 0) {
            t.row.push_back(i);
            t.col.push_back(j);
            values.push_back(dense(i, j));
          }
      t.data = Array::from_vector(values);
      save_coo(arrays, name + "coo", t, options);
      expect_dense(name + "coo", "coo", dense);
    }
  }
  json objects = json::object();
  for (const ObjectInfo& info : store->list("").objects) {
    objects[info.key] = store->head(info.key)->metadata;
  }
  json manifest = {{"matrices", matrices}, {"objects", objects}};
  std::ofstream(root / "manifest.json") << manifest.dump();
  return manifest;
}

void run_python(const fs::path& dir, const std::string& environment) {
  std::string command = environment + " " + NDBUCKET_PYTHON + " " + NDBUCKET_ARRAY_INTEROP_SCRIPT +
                        " " + dir.string() + " > " + (dir / "python.log").string() + " 2>&1";
  int status = std::system(command.c_str());
  Bytes log = read_file(dir / "python.log");
  ASSERT_EQ(status, 0) << as_string_view(log);
  std::cout << as_string_view(log);
}

void check_python_cases(const fs::path& dir, ObjectStore& store, bool put_first) {
  // ArrayStore shares ownership of its store; this one belongs to the caller.
  ArrayStore arrays(std::shared_ptr<ObjectStore>(&store, [](ObjectStore*) {}));
  // Read what Python wrote as cottoncandy does (put here first when Python wrote files).
  json py_cases = json::parse(as_string_view(read_file(dir / "py" / "manifest.json")));
  ASSERT_GT(py_cases.size(), 500u);
  int checked = 0;
  for (const json& c : py_cases) {
    std::string key = "py/" + c["body"].get<std::string>();
    Metadata metadata = c["metadata"].get<Metadata>();
    if (put_first) {
      store.put(key, read_file(dir / "py" / c["body"].get<std::string>()), {.metadata = metadata});
    }
    Bytes expected = read_file(dir / "py" / c["expected"].get<std::string>());
    SCOPED_TRACE(key + " " + c["metadata"].dump());
    Array loaded = arrays.load(key);
    EXPECT_EQ(loaded.dtype().str(), metadata["dtype"]);
    Array c_order = Array::copy_of(loaded.view());
    ASSERT_EQ(c_order.nbytes(), expected.size());
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), c_order.bytes().begin()));
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(py_cases.size()));

  // .npy files np.save wrote, read as files and as store objects.
  json saved = json::parse(as_string_view(read_file(dir / "npy_py" / "manifest.json")));
  ASSERT_GT(saved.size(), 500u);
  for (const json& c : saved) {
    std::string file = c["file"];
    SCOPED_TRACE(file + " " + c.dump());
    Bytes expected = read_file(dir / "npy_py" / c["expected"].get<std::string>());
    Array loaded = load_npy_file(dir / "npy_py" / file);
    EXPECT_EQ(loaded.dtype().str(), c["dtype"]);
    EXPECT_EQ(loaded.shape().dims(), c["shape"].get<std::vector<std::size_t>>());
    EXPECT_EQ(loaded.order() == Order::F, c["fortran"].get<bool>());
    Array c_order = Array::copy_of(loaded.view());
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), c_order.bytes().begin(),
                           c_order.bytes().end()));
    store.put("npy/" + file, read_file(dir / "npy_py" / file));
    Array from_store = arrays.load_npy("npy/" + file);
    EXPECT_TRUE(std::equal(from_store.bytes().begin(), from_store.bytes().end(),
                           loaded.bytes().begin(), loaded.bytes().end()));
  }

  // Sparse matrices scipy wrote in cottoncandy's layout: csr, csc, coo, bsr, dia.
  json sparse = json::parse(as_string_view(read_file(dir / "sparse_py" / "manifest.json")));
  for (const json& o : put_first ? sparse["objects"] : json::array()) {
    store.put("sparse/" + o["key"].get<std::string>(),
              read_file(dir / "sparse_py" / o["body"].get<std::string>()),
              {.metadata = o["metadata"].get<Metadata>()});
  }
  std::set<std::string> types;
  for (const json& m : sparse["matrices"]) {
    std::string name = "sparse/" + m["name"].get<std::string>();
    SCOPED_TRACE(m.dump());
    Bytes dense_bytes = read_file(dir / "sparse_py" / m["dense"].get<std::string>());
    auto rows = m["rows"].get<Eigen::Index>();
    auto cols = m["cols"].get<Eigen::Index>();
    Eigen::MatrixXd expected =
        Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            reinterpret_cast<const double*>(dense_bytes.data()), rows, cols);
    Eigen::MatrixXd got =
        m["dtype"] == "<f4"
            ? Eigen::MatrixXd(Eigen::MatrixXf(load_sparse<float>(arrays, name)).cast<double>())
            : Eigen::MatrixXd(load_sparse<double>(arrays, name));
    EXPECT_EQ(got, expected);
    EXPECT_EQ(load_sparse_arrays(arrays, name).type, m["type"]);
    types.insert(m["type"].get<std::string>());
  }
  EXPECT_EQ(types, (std::set<std::string>{"bsr", "coo", "csc", "csr", "dia"}));
}

}  // namespace ndbucket::interop
