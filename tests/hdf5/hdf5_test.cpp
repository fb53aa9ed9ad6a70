// import_hdf5 / export_hdf5 against files h5py writes (tests/hdf5/h5_fixtures.py, one Python
// process makes every fixture): values compared here with h5py's .npy dumps, the imported tree
// read by zarr-python, the exported file read back by h5py; plus slab planning units.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hdf5/slab_plan.hpp"
#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/chunked.hpp"
#include "ndbucket/array/npy.hpp"
#include "ndbucket/hdf5/hdf5.hpp"
#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

namespace fs = std::filesystem;
using testing::error_code_of;
using testing::fresh_test_dir;

const std::string kScript = std::string(NDBUCKET_SOURCE_DIR) + "/tests/hdf5/h5_fixtures.py";

// Runs the fixture script; returns its exit status (output goes to the test log).
int run_python(const std::string& args) {
  std::string command = std::string(NDBUCKET_PYTHON) + " " + kScript + " " + args;
  return std::system(command.c_str());
}

class Hdf5Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fixtures_ = new fs::path(fresh_test_dir("hdf5-fixtures"));
    ASSERT_EQ(run_python("make " + fixtures_->string()), 0);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*fixtures_, ec);
    delete fixtures_;
  }
  static fs::path fixture(const std::string& name) { return *fixtures_ / name; }
  static nlohmann::json manifest() {
    std::ifstream in(fixture("manifest.json"));
    return nlohmann::json::parse(in);
  }
  static fs::path* fixtures_;
};
fs::path* Hdf5Test::fixtures_ = nullptr;

TEST_F(Hdf5Test, ImportsEveryDatasetWithH5pyValues) {
  fs::path dir = fresh_test_dir("hdf5-import");
  auto store = std::make_shared<FileStore>(dir);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
  Hdf5ImportOptions options;
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    progress.emplace_back(done, total);
  };
  Hdf5ImportReport report = import_hdf5(fixture("fixtures.h5"), store, "", options);
  nlohmann::json expected = manifest();
  EXPECT_EQ(report.arrays, expected.size());
  EXPECT_EQ(report.groups, 5u);  // /, numbers, a, a/b, a/b/c
  EXPECT_TRUE(report.skipped.empty());
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().first, progress.back().second);
  EXPECT_EQ(progress.back().first, report.bytes);
  for (std::size_t i = 1; i < progress.size(); ++i) {
    EXPECT_GE(progress[i].first, progress[i - 1].first);
  }
  for (const auto& [path, info] : expected.items()) {
    SCOPED_TRACE(path);
    ChunkedArray array = ChunkedArray::open(store, path);
    EXPECT_EQ(array.dtype().str(), info["dtype"].get<std::string>());
    EXPECT_EQ(array.shape().dims(), info["shape"].get<std::vector<std::size_t>>());
    if (!info["chunks"].is_null()) {
      EXPECT_EQ(array.metadata().chunks, info["chunks"].get<std::vector<std::size_t>>());
    }
    Array want = load_npy_file(fixture("expected/" + path + ".npy"));
    Array got = array.read();
    ASSERT_EQ(got.nbytes(), want.nbytes());
    EXPECT_EQ(0, std::memcmp(got.data(), want.data(), got.nbytes()));
  }
  EXPECT_EQ(ChunkedArray::open(store, "filled").metadata().fill_value, -9);
  EXPECT_EQ(ChunkedArray::open(store, "a/b/c/gzip3d").metadata().fill_value, -1.5);
  nlohmann::json root = read_zarr_attributes(*store, "");
  EXPECT_EQ(root["title"], "ndbucket fixture");
  EXPECT_EQ(root["version"], 3);
  EXPECT_EQ(root["flag"], true);
  EXPECT_EQ(root["names"], nlohmann::json({"alpha", "beta", "gamma"}));
  EXPECT_EQ(root["matrix"], nlohmann::json({{0.0, 0.25, 0.5}, {0.75, 1.0, 1.25}}));
  EXPECT_EQ(root["big"].get<std::uint64_t>(), (std::uint64_t{1} << 63) + 5);
  EXPECT_EQ(read_zarr_attributes(*store, "a/b/c/gzip3d")["units"], "mV");
  EXPECT_TRUE(store->exists(".zmetadata"));
  // zarr-python reads the tree (consolidated and not) and matches h5py everywhere.
  EXPECT_EQ(run_python("zarr " + fixture("fixtures.h5").string() + " " + dir.string()), 0);
  fs::remove_all(dir);
}

TEST_F(Hdf5Test, ExportReadsBackIdenticallyInH5py) {
  fs::path dir = fresh_test_dir("hdf5-export");
  auto store = std::make_shared<FileStore>(dir / "store");
  Hdf5ImportOptions import_options;
  import_options.compressor = {{"id", "zlib"}, {"level", 3}};
  import_hdf5(fixture("fixtures.h5"), store, "run/one", import_options);
  fs::path out = dir / "exported.h5";
  Hdf5ExportReport report = export_hdf5(store, "run/one", out);
  EXPECT_EQ(report.datasets, manifest().size());
  EXPECT_TRUE(report.skipped.empty());
  EXPECT_EQ(run_python("h5 " + fixture("fixtures.h5").string() + " " + out.string()), 0);
  // An existing file is kept unless overwrite is set.
  EXPECT_EQ(error_code_of([&] { export_hdf5(store, "run/one", out); }), ErrorCode::AlreadyExists);
  Hdf5ExportOptions overwrite;
  overwrite.overwrite = true;
  std::uint64_t last_done = 0, last_total = 1;
  overwrite.progress = [&](std::uint64_t done, std::uint64_t total) {
    last_done = done;
    last_total = total;
  };
  export_hdf5(store, "run/one", out, overwrite);
  EXPECT_EQ(last_done, last_total);
  EXPECT_EQ(error_code_of([&] { export_hdf5(store, "missing", dir / "x.h5"); }),
            ErrorCode::NotFound);
  EXPECT_FALSE(fs::exists(dir / "x.h5"));
  fs::remove_all(dir);
}

TEST_F(Hdf5Test, UnsupportedTypesAreSkippedWithWarningsOrFail) {
  auto store = std::make_shared<MemoryStore>();
  std::vector<std::string> warnings;
  Hdf5ImportOptions options;
  options.warning = [&](const std::string& line) { warnings.push_back(line); };
  Hdf5ImportReport report = import_hdf5(fixture("unsupported.h5"), store, "u", options);
  EXPECT_EQ(report.arrays, 1u);
  std::vector<std::string> skipped;
  for (const auto& item : report.skipped) skipped.push_back(item.path + ": " + item.reason);
  EXPECT_EQ(skipped, (std::vector<std::string>{
                         "/compound: compound type",
                         "/ok@cmpd: compound type",
                         "/refs: reference type",
                         "/vlen_int: variable-length type",
                         "/vlen_str: variable-length string",
                     }));
  EXPECT_EQ(warnings.size(), 5u);
  EXPECT_EQ(ChunkedArray::open(store, "u/ok").read().to_vector<std::int32_t>(),
            (std::vector<std::int32_t>{0, 1, 2, 3, 4}));

  auto empty = std::make_shared<MemoryStore>();
  options.unsupported = Hdf5UnsupportedPolicy::Fail;
  try {
    import_hdf5(fixture("unsupported.h5"), empty, "u", options);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::Unsupported);
    EXPECT_NE(std::string(error.what()).find("/vlen_str: variable-length string"),
              std::string::npos);
  }
  EXPECT_TRUE(empty->list("").objects.empty());  // nothing written
}

TEST_F(Hdf5Test, SmallDatasetsAsRawArraysAndOptions) {
  auto store = std::make_shared<MemoryStore>();
  Hdf5ImportOptions options;
  options.raw_array_threshold = 1024;
  options.raw_array_compression = "Zstd";
  options.consolidate = false;
  options.compressor = nullptr;
  Hdf5ImportReport report = import_hdf5(fixture("fixtures.h5"), store, "r", options);
  EXPECT_GT(report.raw_arrays, 10u);
  EXPECT_EQ(report.arrays + report.raw_arrays, manifest().size());
  ArrayStore arrays(store);
  Array scalar = arrays.load("r/scalar");
  EXPECT_EQ(scalar.to_vector<double>(), std::vector<double>{3.25});
  EXPECT_EQ(arrays.info("r/numbers/i4").compression, "Zstd");
  EXPECT_TRUE(ChunkedArray::open(store, "r/large").metadata().compressor.is_null());
  EXPECT_FALSE(store->exists("r/.zmetadata"));
  // Without keeping HDF5 chunks, chunks follow target_chunk_bytes.
  options.raw_array_threshold = 0;
  options.keep_hdf5_chunks = false;
  options.target_chunk_bytes = 64 << 10;
  options.overwrite = true;
  import_hdf5(fixture("fixtures.h5"), store, "r", options);
  ChunkedArray large = ChunkedArray::open(store, "r/large");
  EXPECT_EQ(large.metadata().chunks, choose_chunk_shape(large.shape(), large.dtype(), 64 << 10));
  // Existing arrays are refused without overwrite.
  options.overwrite = false;
  EXPECT_EQ(error_code_of([&] { import_hdf5(fixture("fixtures.h5"), store, "r", options); }),
            ErrorCode::AlreadyExists);
}

TEST_F(Hdf5Test, TinyMemoryBudgetStillImportsEverything) {
  auto store = std::make_shared<MemoryStore>();
  Hdf5ImportOptions options;
  options.memory_budget = 4096;  // one small chunk at a time
  options.concurrency = 3;
  import_hdf5(fixture("fixtures.h5"), store, "", options);
  Array want = load_npy_file(fixture("expected/large.npy"));
  Array got = ChunkedArray::open(store, "large").read();
  ASSERT_EQ(got.nbytes(), want.nbytes());
  EXPECT_EQ(0, std::memcmp(got.data(), want.data(), got.nbytes()));
}

TEST_F(Hdf5Test, BadInputsGiveClearErrors) {
  auto store = std::make_shared<MemoryStore>();
  fs::path dir = fresh_test_dir("hdf5-bad");
  EXPECT_EQ(error_code_of([&] { import_hdf5(dir / "missing.h5", store, ""); }),
            ErrorCode::NotFound);
  testing::write_file(dir / "text.h5", to_bytes(std::string("not hdf5 at all")));
  EXPECT_EQ(error_code_of([&] { import_hdf5(dir / "text.h5", store, ""); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { import_hdf5(fixture("fixtures.h5"), nullptr, ""); }),
            ErrorCode::InvalidArgument);
  fs::remove_all(dir);
}

TEST(Hdf5Export, SkipsDtypesWithoutHdf5TypeAndWritesOtherAttributesAsText) {
  auto store = std::make_shared<MemoryStore>();
  create_zarr_group(*store, "g",
                    {{"nested", {{1, 2}, {3, 4}}}, {"empty", nlohmann::json::array()}});
  ChunkedCreateOptions create;
  create.chunks = {4};
  create.compressor = "zstd";  // HDF5 cannot take it: written uncompressed
  create.attributes = {{"object", {{"a", 1}}}, {"mixed", {1, "x"}}, {"widened", {1, 2.5}}};
  ChunkedArray values =
      ChunkedArray::create(store, "g/values", Shape{10}, DType::of<double>(), create);
  std::vector<double> numbers{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  values.write({}, ArrayView::of(std::span<const double>(numbers), Shape{10}));
  ChunkedArray::create(store, "g/text", Shape{2}, DType::parse("<U3"), {.fill_value = ""});
  fs::path dir = fresh_test_dir("hdf5-export-text");
  std::vector<std::string> warnings;
  Hdf5ExportOptions options;
  options.warning = [&](const std::string& line) { warnings.push_back(line); };
  Hdf5ExportReport report = export_hdf5(store, "g", dir / "out.h5", options);
  EXPECT_EQ(report.datasets, 1u);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].path, "/text");
  EXPECT_EQ(warnings.size(), 3u);  // the skipped array and two attributes written as text

  auto back = std::make_shared<MemoryStore>();
  import_hdf5(dir / "out.h5", back, "");
  EXPECT_EQ(ChunkedArray::open(back, "values").read().to_vector<double>(), numbers);
  EXPECT_EQ(ChunkedArray::open(back, "values").metadata().chunks, std::vector<std::size_t>{4});
  nlohmann::json attributes = read_zarr_attributes(*back, "values");
  EXPECT_EQ(attributes["object"], R"({"a":1})");
  EXPECT_EQ(attributes["mixed"], R"([1,"x"])");
  EXPECT_EQ(attributes["widened"], nlohmann::json({1.0, 2.5}));
  nlohmann::json root = read_zarr_attributes(*back, "");
  EXPECT_EQ(root["nested"], nlohmann::json({{1, 2}, {3, 4}}));
  EXPECT_EQ(root["empty"], nlohmann::json::array());
  fs::remove_all(dir);
}

TEST(SlabPlan, CoversTheArrayOnceInChunkAlignedSlabs) {
  using hdf5::plan_slabs;
  // 10 x 7 x 5 of 1-byte items, chunks 3 x 2 x 5: rows of (3 x 7 x 5) = 105 bytes.
  Shape shape{10, 7, 5};
  auto slabs = plan_slabs(shape, {3, 2, 5}, 1, 250);
  ASSERT_EQ(slabs.size(), 2u);  // two chunk rows (6 x 7 x 5) fit 250 bytes
  EXPECT_EQ(slabs[0].count, (std::vector<std::size_t>{6, 7, 5}));
  EXPECT_EQ(slabs[1].start, (std::vector<std::size_t>{6, 0, 0}));
  EXPECT_EQ(slabs[1].count, (std::vector<std::size_t>{4, 7, 5}));
  // Too small for a chunk row: split the next dimension, one chunk at least.
  slabs = plan_slabs(shape, {3, 2, 5}, 1, 40);
  std::uint64_t total = 0;
  for (const auto& slab : slabs) {
    total += slab.nbytes;
    EXPECT_EQ(slab.start[0] % 3, 0u);
    EXPECT_EQ(slab.start[1] % 2, 0u);
    EXPECT_LE(slab.nbytes, 40u);
  }
  EXPECT_EQ(total, 350u);
  EXPECT_EQ(plan_slabs(Shape{}, {}, 8, 1).size(), 1u);
  EXPECT_TRUE(plan_slabs(Shape{0, 4}, {1, 4}, 8, 100).empty());
  EXPECT_EQ(hdf5::workers_within(100, 10, 8), 2u);
  EXPECT_EQ(hdf5::workers_within(1, 10, 8), 1u);
}

}  // namespace
}  // namespace ndbucket
