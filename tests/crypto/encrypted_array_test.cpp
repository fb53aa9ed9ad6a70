// A cottoncandy raw array saved through EncryptedStore, loaded back, and a middle slice of its
// rows read by range (only the covering segments are fetched and decrypted); a Zarr chunked array
// written through it and read back by region.
#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/chunked.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "crypto/encrypted_test_support.hpp"
#include "ndbucket/store/prefix_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

TEST(EncryptedArrays, RawArrayRoundTripsAndSlicesByRange) {
  auto inner = std::make_shared<MemoryStore>();
  auto store = encrypt(inner, {.plaintext_metadata = {"dtype", "shape"}, .segment_size = 4096});
  ArrayStore arrays(store);
  const std::size_t rows = 500, cols = 37;
  std::vector<double> values(rows * cols);
  std::iota(values.begin(), values.end(), 0.5);
  arrays.save("run/weights", ArrayView::of(std::span<const double>(values), Shape{rows, cols}),
              {.compression = "none", .metadata = {}});

  Array loaded = arrays.load("run/weights");
  ASSERT_EQ(loaded.shape(), (Shape{rows, cols}));
  EXPECT_EQ(std::memcmp(loaded.view().data(), values.data(), values.size() * sizeof(double)), 0);
  ArrayInfo info = arrays.info("run/weights");
  EXPECT_EQ(info.stored_size, values.size() * sizeof(double));
  // The array's metadata is sealed; dtype and shape were allowed in plaintext too.
  Metadata raw = inner->head("run/weights")->metadata;
  EXPECT_EQ(raw.at("dtype"), "<f8");
  EXPECT_FALSE(raw.contains("compression"));

  // Rows 200..260 of a C-order matrix are one contiguous byte range.
  const std::size_t row_bytes = cols * sizeof(double);
  std::vector<double> middle(60 * cols);
  store->get_into("run/weights",
                  MutableByteSpan(reinterpret_cast<std::byte*>(middle.data()), 60 * row_bytes),
                  ByteRange::span(200 * row_bytes, 60 * row_bytes));
  EXPECT_TRUE(std::equal(middle.begin(), middle.end(), values.begin() + 200 * cols));

  // Compressed arrays go through the same decorator.
  arrays.save("run/z", ArrayView::of(std::span<const double>(values), Shape{rows, cols}),
              {.compression = "Zstd", .metadata = {}});
  Array z = arrays.load("run/z");
  EXPECT_EQ(std::memcmp(z.view().data(), values.data(), values.size() * sizeof(double)), 0);
}

TEST(EncryptedArrays, ChunkedArrayReadsByRegion) {
  auto inner = std::make_shared<MemoryStore>();
  auto store = encrypt(inner, {.plaintext_metadata = {}, .segment_size = 4096});
  const std::size_t rows = 120, cols = 90;
  std::vector<float> values(rows * cols);
  std::iota(values.begin(), values.end(), 0.25f);
  ChunkedArray array = ChunkedArray::create(store, "movie", Shape{rows, cols}, DType::of<float>(),
                                            {.chunks = {32, 32}, .compressor = "zstd"});
  array.write({}, ArrayView::of(std::span<const float>(values), Shape{rows, cols}));

  // Reopened from the encrypted .zarray, a region spanning chunk edges reads the right values.
  ChunkedArray reopened = ChunkedArray::open(store, "movie");
  Array region = reopened.read({{10, 75}, {30, 61, 3}});
  ASSERT_EQ(region.shape(), (Shape{65, 11}));
  const auto* got = reinterpret_cast<const float*>(region.view().data());
  for (std::size_t r = 0; r < 65; ++r) {
    for (std::size_t c = 0; c < 11; ++c) {
      ASSERT_EQ(got[r * 11 + c], values[(10 + r) * cols + 30 + 3 * c]) << r << "," << c;
    }
  }
  // The wrapped store holds ciphertext only: neither the metadata nor a chunk is readable there.
  std::string zarray(as_string_view(inner->get("movie/.zarray").body));
  EXPECT_EQ(zarray.find("zstd"), std::string::npos);
  EXPECT_EQ(zarray.find("shape"), std::string::npos);
  EXPECT_EQ(ErrorCode::Corrupt, error_code_of([&] {
              ChunkedArray::open(std::make_shared<PrefixStore>(inner, "movie"), "").read();
            }));
}

}  // namespace
}  // namespace ndbucket::testing
