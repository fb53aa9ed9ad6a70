// Chunked arrays over real S3 servers (Ceph RGW, moto): Zarr arrays with both separators, region
// reads that fetch only the intersecting chunks, consolidated groups and the dask layout.
#include <gtest/gtest.h>

#include <numeric>

#include "ndbucket/array/chunked.hpp"
#include "ndbucket/array/dask_layout.hpp"
#include "s3/test_servers.hpp"

// After the ndbucket headers (dtype.hpp before bytes.hpp).
#include "chunked/counting_store.hpp"

namespace ndbucket {
namespace {

class ChunkedS3 : public ::testing::TestWithParam<std::string> {};

TEST_P(ChunkedS3, ZarrAndDaskLayoutsByRegion) {
  auto bucket = testing::make_bucket_store(testing::test_server(GetParam()), "chunked");
  auto counting = std::make_shared<testing::CountingStore>(bucket);
  Shape shape{40, 30};
  std::vector<float> values(shape.element_count());
  std::iota(values.begin(), values.end(), 0.5f);
  ArrayView view = ArrayView::of(std::span<const float>(values), shape);
  create_zarr_group(*counting, "run1", {{"experiment", 1}});
  for (char separator : {'.', '/'}) {
    std::string key = std::string("run1/a") + (separator == '.' ? "dot" : "slash");
    save_chunked(
        counting, key, view,
        {.create = {.chunks = {8, 7}, .compressor = "zstd", .dimension_separator = separator}});
    ChunkedArray array = ChunkedArray::open(counting, key);
    counting->reset();
    Region region{{9, 23, 2}, {13, 15}};
    std::vector<float> got = array.read(region).to_vector<float>();
    std::vector<float> want;
    for (std::size_t i = 9; i < 23; i += 2) {
      for (std::size_t j = 13; j < 15; ++j) want.push_back(values[i * 30 + j]);
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(counting->requests("get"), array.chunks_in(region).size());  // 2 rows x 2 columns
    EXPECT_EQ(array.chunks_in(region).size(), 4u);
    EXPECT_EQ(array.read().to_vector<float>(), values);
  }
  consolidate_zarr_metadata(*counting, "run1");
  counting->reset();
  ZarrGroup group = ZarrGroup::open(counting, "run1");
  EXPECT_EQ(group.members().arrays, (std::vector<std::string>{"adot", "aslash"}));
  EXPECT_EQ(group.open_array("aslash").read({{0, 1}, {0, 1}}).to_vector<float>().front(), 0.5f);
  EXPECT_EQ(counting->requests("get"), 2u);  // .zmetadata + one chunk

  std::vector<double> big(1000 * 700);
  std::iota(big.begin(), big.end(), 0.0);
  save_dask_layout(ArrayStore(counting), "dask/big",
                   ArrayView::of(std::span<const double>(big), Shape{1000, 700}),
                   {.axis = 0,
                    .buffersize = std::uint64_t{5} << 20,
                    .part = {.compression = "Zstd", .metadata = {}}});
  ChunkedArray dask = ChunkedArray::open(counting, "dask/big");
  EXPECT_EQ(dask.layout(), ChunkedLayout::CottoncandyDask);
  EXPECT_EQ(dask.read({{990, 1000}, {5, 6}}).to_vector<double>().back(), 999.0 * 700 + 5);
}

INSTANTIATE_TEST_SUITE_P(Servers, ChunkedS3, ::testing::Values("rgw", "moto"));

}  // namespace
}  // namespace ndbucket
