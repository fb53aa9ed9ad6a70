// A cottoncandy raw array saved through EncryptedStore, loaded back, and a middle slice of its
// rows read by range (only the covering segments are fetched and decrypted).
// TODO(after ChunkedArray merges): an encrypted chunked array read by region.
// array_store.hpp first: dtype.hpp's DType::Kind::Bytes would shadow ndbucket::Bytes otherwise.
#include "ndbucket/array/array_store.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "crypto/encrypted_test_support.hpp"

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

}  // namespace
}  // namespace ndbucket::testing
