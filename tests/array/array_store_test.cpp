// ArrayStore on MemoryStore and FileStore: round trips for every dtype x codec x shape, the
// cottoncandy layout written byte for byte, the reading rules, and corrupt or wrong objects.
#include <gtest/gtest.h>

#include <random>

#include "ndbucket/array/array_store.hpp"
#include "ndbucket/codecs/builtin.hpp"
#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

using testing::error_code_of;

const char* const kDtypes[] = {"<f8", ">f8", "<f4", "<f2", "<i8",  ">i4", "<i2", "|i1", "|u1",
                               "<u2", ">u4", "<u8", "|b1", "<c16", ">c8", "|S4", "<U5", "|V8"};
// None, cottoncandy's gzip path, the numcodecs codecs in cottoncandy's spellings, and the default.
const char* const kCompressions[] = {"none", "gzip", "GZIP",  "Zstd", "LZ4",    "Zlib",
                                     "BZ2",  "lzma", "Blosc", "zstd", "default"};
const std::vector<Shape> kShapes = {Shape{},        Shape{0},    Shape{7},
                                    Shape{2, 3, 4}, Shape{0, 3}, Shape{3, 0, 2}};

Array random_array(const DType& dtype, const Shape& shape, std::uint32_t seed) {
  Array a(dtype, shape);
  std::mt19937 rng(seed);
  for (std::byte& b : a.bytes())
    b = static_cast<std::byte>(rng() & (dtype.kind() == DTypeKind::Bool ? 1 : 0xff));
  return a;
}

ArraySaveOptions with(const std::string& compression) {
  ArraySaveOptions options;
  if (compression != "default") options.compression = compression;
  return options;
}

std::shared_ptr<ObjectStore> make_store(const std::string& kind) {
  if (kind == "memory") return std::make_shared<MemoryStore>("arrays");
  // No fsync: durability is FileStore's business, and a thousand synced puts take seconds.
  FileStoreOptions options;
  options.sync = false;
  return std::make_shared<FileStore>(testing::fresh_test_dir("array-store"), options);
}

class ArrayStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<ObjectStore> store_ = make_store(GetParam());
  ArrayStore arrays_{store_};
};

TEST_P(ArrayStoreTest, RoundTripsEveryDtypeCodecAndShape) {
  std::uint32_t seed = 1;
  int count = 0;
  for (const char* typestr : kDtypes) {
    DType dtype = DType::parse(typestr);
    for (const char* compression : kCompressions) {
      for (const Shape& shape : kShapes) {
        SCOPED_TRACE(std::string(typestr) + " " + compression + " " + shape.to_tuple());
        Array original = random_array(dtype, shape, ++seed);
        std::string key = "rt/" + std::to_string(count++);
        arrays_.save(key, original.view(), with(compression));
        ArrayInfo info = arrays_.info(key);
        EXPECT_EQ(info.dtype, dtype);
        EXPECT_EQ(info.shape, shape);
        EXPECT_EQ(info.order, Order::C);
        std::string expected_name = std::string(compression) == "none"      ? "False"
                                    : std::string(compression) == "default" ? "gzip"
                                                                            : compression;
        EXPECT_EQ(info.compression, expected_name);
        Array loaded = arrays_.load(key);
        ASSERT_EQ(loaded.dtype(), dtype);
        ASSERT_EQ(loaded.shape(), shape);
        ASSERT_TRUE(std::equal(loaded.bytes().begin(), loaded.bytes().end(),
                               original.bytes().begin(), original.bytes().end()));
        Array into(dtype, shape);
        arrays_.load_into(key, into.mutable_view());
        ASSERT_TRUE(std::equal(into.bytes().begin(), into.bytes().end(), original.bytes().begin(),
                               original.bytes().end()));
      }
    }
  }
  EXPECT_EQ(count, 18 * 11 * 6);
}

TEST_P(ArrayStoreTest, WritesCottoncandyLayoutExactly) {
  Array a = Array::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{2, 3});
  ObjectInfo written =
      arrays_.save("x", a.view(), {.compression = "none", .metadata = {{"author", "ana"}}});
  EXPECT_EQ(written.size, 48u);
  GetResult got = store_->get("x");
  EXPECT_TRUE(std::equal(got.body.begin(), got.body.end(), a.bytes().begin(), a.bytes().end()));
  Metadata expected{{"author", "ana"},
                    {"compression", "False"},
                    {"dtype", "<f8"},
                    {"order", "C"},
                    {"shape", "2,3"}};
  EXPECT_EQ(got.info.metadata, expected);
  EXPECT_EQ(arrays_.info("x").metadata, (Metadata{{"author", "ana"}}));

  // The default is cottoncandy's GzipFile path: level 9 (XFL 2), OS 255.
  arrays_.save("g", a.view());
  Bytes gz = store_->get("g").body;
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(gz[0], std::byte{0x1f});
  EXPECT_EQ(gz[1], std::byte{0x8b});
  EXPECT_EQ(gz[2], std::byte{0x08});
  EXPECT_EQ(gz[8], std::byte{0x02});
  EXPECT_EQ(gz[9], std::byte{0xff});
  EXPECT_EQ(store_->head("g")->metadata.at("compression"), "gzip");
  // numcodecs GZip (any other case) is level 1: XFL 4.
  arrays_.save("G", a.view(), {.compression = "GZIP", .metadata = {}});
  EXPECT_EQ(store_->get("G").body[8], std::byte{0x04});
  EXPECT_EQ(store_->head("G")->metadata.at("compression"), "GZIP");
  // Zstd: a frame with the content size.
  arrays_.save("z", a.view(), {.compression = "Zstd", .metadata = {}});
  Bytes z = store_->get("z").body;
  EXPECT_EQ(z[0], std::byte{0x28});
  EXPECT_EQ(z[3], std::byte{0xfd});
  // A scalar's shape is the empty string.
  Array scalar = Array::from_vector(std::vector<std::int64_t>{42}, Shape{});
  arrays_.save("s", scalar.view(), {.compression = "none", .metadata = {}});
  EXPECT_EQ(store_->head("s")->metadata.at("shape"), "");
  EXPECT_EQ(arrays_.load("s").to_vector<std::int64_t>(), std::vector<std::int64_t>{42});
}

TEST_P(ArrayStoreTest, FortranAndStridedInputIsWrittenInCOrder) {
  std::vector<std::int32_t> values(24);
  for (int i = 0; i < 24; ++i) values[i] = i;
  Array f = Array::from_vector(values, Shape{2, 3, 4}, Order::F);
  Array c = Array::copy_of(f.view(), Order::C);
  for (const char* compression : {"none", "gzip", "LZ4", "Blosc"}) {
    arrays_.save("f", f.view(), with(compression));
    Array loaded = arrays_.load("f");
    EXPECT_EQ(loaded.order(), Order::C);
    EXPECT_EQ(loaded.to_vector<std::int32_t>(), c.to_vector<std::int32_t>()) << compression;
  }
  arrays_.save("f", f.view(), {.compression = "none", .metadata = {}});
  Bytes body = store_->get("f").body;
  EXPECT_TRUE(std::equal(body.begin(), body.end(), c.bytes().begin(), c.bytes().end()));
  // Every other element of a 1-d array, and a reversed view.
  ArrayView strided(reinterpret_cast<const std::byte*>(values.data()), DType::of<std::int32_t>(),
                    Shape{12}, Strides{8});
  arrays_.save("s", strided, with("Zstd"));
  std::vector<std::int32_t> even = arrays_.load("s").to_vector<std::int32_t>();
  EXPECT_EQ(even[5], 10);
  ArrayView reversed(reinterpret_cast<const std::byte*>(values.data() + 23),
                     DType::of<std::int32_t>(), Shape{24}, Strides{-4});
  arrays_.save("r", reversed, with("none"));
  EXPECT_EQ(arrays_.load("r").to_vector<std::int32_t>()[0], 23);
}

TEST_P(ArrayStoreTest, LoadIntoStridedAndSwappedDestinations) {
  Array a = Array::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{2, 3});
  arrays_.save("a", a.view(), with("Zlib"));
  // An F-ordered destination goes through one staging copy.
  Array f(DType::of<double>(), Shape{2, 3}, Order::F);
  arrays_.load_into("a", f.mutable_view());
  EXPECT_EQ(f.to_vector<double>(), a.to_vector<double>());
  // A big-endian destination gets swapped elements.
  Array big(DType::parse(">f8"), Shape{2, 3});
  arrays_.load_into("a", big.mutable_view());
  EXPECT_EQ(big.to_vector<double>(), a.to_vector<double>());
  // Big-endian arrays keep their dtype in storage.
  arrays_.save("b", big.view(), with("none"));
  EXPECT_EQ(store_->head("b")->metadata.at("dtype"), ">f8");
  EXPECT_EQ(arrays_.load("b").to_vector<double>(), a.to_vector<double>());
  Array wrong_shape(DType::of<double>(), Shape{3, 2});
  EXPECT_EQ(error_code_of([&] { arrays_.load_into("a", wrong_shape.mutable_view()); }),
            ErrorCode::InvalidArgument);
  Array wrong_type(DType::of<float>(), Shape{2, 3});
  EXPECT_EQ(error_code_of([&] { arrays_.load_into("a", wrong_type.mutable_view()); }),
            ErrorCode::InvalidArgument);
}

TEST_P(ArrayStoreTest, StreamsLargeCompressedBodiesInPieces) {
  ArrayStore small_pieces(store_, CodecRegistry::with_builtins(), {.read_piece_size = 4096});
  Array a = random_array(DType::parse("<u2"), Shape{300, 200}, 7);
  for (const char* compression : {"gzip", "Zstd", "BZ2", "lzma", "Zlib", "LZ4", "Blosc"}) {
    small_pieces.save("big", a.view(), with(compression));
    ASSERT_GT(store_->head("big")->size, 4096u) << compression;
    Array loaded = small_pieces.load("big");
    EXPECT_TRUE(std::equal(loaded.bytes().begin(), loaded.bytes().end(), a.bytes().begin(),
                           a.bytes().end()))
        << compression;
  }
}

// Objects written with metadata by hand, as other cottoncandy releases did.
class ReadingRules : public ArrayStoreTest {
 protected:
  void put(const std::string& key, ByteSpan body, Metadata metadata) {
    store_->put(key, body, {.metadata = std::move(metadata)});
  }
  Array doubles_ = Array::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{2, 3});
};

TEST_P(ReadingRules, LegacyGzipKeyWinsAndOrderF) {
  Bytes gz = make_gzip_codec({.level = 9})->encode(doubles_.bytes());
  // gzip=True wins over a (contradicting) compression value.
  put("legacy", gz,
      {{"gzip", "True"}, {"compression", "False"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(arrays_.load("legacy").to_vector<double>(), doubles_.to_vector<double>());
  put("legacy-raw", doubles_.bytes(),
      {{"gzip", "False"}, {"compression", "Zstd"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(arrays_.load("legacy-raw").to_vector<double>(), doubles_.to_vector<double>());
  // order=F: the body is column-major.
  Array f = Array::copy_of(doubles_.view(), Order::F);
  put("f", f.bytes(),
      {{"compression", "False"}, {"dtype", "<f8"}, {"shape", "2,3"}, {"order", "F"}});
  Array loaded = arrays_.load("f");
  EXPECT_EQ(loaded.order(), Order::F);
  EXPECT_EQ(loaded.to_vector<double>(), doubles_.to_vector<double>());
  put("fgz", make_gzip_codec({.level = 9})->encode(f.bytes()),
      {{"compression", "gzip"}, {"dtype", "<f8"}, {"shape", "2,3"}, {"order", "F"}});
  EXPECT_EQ(arrays_.load("fgz").to_vector<double>(), doubles_.to_vector<double>());
  // Other codecs ignore order=F.
  put("fz", make_zstd_codec()->encode(doubles_.bytes()),
      {{"compression", "Zstd"}, {"dtype", "<f8"}, {"shape", "2,3"}, {"order", "F"}});
  EXPECT_EQ(arrays_.load("fz").to_vector<double>(), doubles_.to_vector<double>());
  // Codec names in any case; "None" as no compression.
  put("up", make_zstd_codec()->encode(doubles_.bytes()),
      {{"compression", "ZSTD"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(arrays_.load("up").to_vector<double>(), doubles_.to_vector<double>());
  put("none", doubles_.bytes(), {{"compression", "None"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(arrays_.load("none").to_vector<double>(), doubles_.to_vector<double>());
  // Trailing bytes after prod(shape) * itemsize are ignored.
  Bytes longer(doubles_.bytes().begin(), doubles_.bytes().end());
  longer.resize(longer.size() + 5, std::byte{9});
  put("long", longer, {{"compression", "False"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(arrays_.load("long").to_vector<double>(), doubles_.to_vector<double>());
}

TEST_P(ReadingRules, BadObjectsGiveClearErrors) {
  ByteSpan body = doubles_.bytes();
  put("short", body.first(47), {{"compression", "False"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.load("short"); }), ErrorCode::Corrupt);
  put("plain", body, {});
  EXPECT_EQ(error_code_of([&] { arrays_.load("plain"); }), ErrorCode::Corrupt);
  try {
    arrays_.info("plain");
  } catch (const Error& error) {
    EXPECT_NE(error.message().find("plain"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("compression"), std::string::npos) << error.message();
  }
  put("nodtype", body, {{"compression", "False"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.info("nodtype"); }), ErrorCode::Corrupt);
  put("noshape", body, {{"compression", "False"}, {"dtype", "<f8"}});
  EXPECT_EQ(error_code_of([&] { arrays_.info("noshape"); }), ErrorCode::Corrupt);
  put("baddtype", body, {{"compression", "False"}, {"dtype", "<f3"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.info("baddtype"); }), ErrorCode::Corrupt);
  put("datetime", body, {{"compression", "False"}, {"dtype", "<M8[ns]"}, {"shape", "6"}});
  EXPECT_EQ(error_code_of([&] { arrays_.info("datetime"); }), ErrorCode::Unsupported);
  put("badshape", body, {{"compression", "False"}, {"dtype", "<f8"}, {"shape", "(2, 3)"}});
  EXPECT_EQ(error_code_of([&] { arrays_.info("badshape"); }), ErrorCode::Corrupt);
  put("hugeshape", body,
      {{"compression", "False"}, {"dtype", "<f8"}, {"shape", "4294967296,4294967296"}});
  EXPECT_EQ(error_code_of([&] { arrays_.load("hugeshape"); }), ErrorCode::Corrupt);
  put("badorder", body,
      {{"compression", "False"}, {"dtype", "<f8"}, {"shape", "2,3"}, {"order", "K"}});
  EXPECT_EQ(error_code_of([&] { arrays_.info("badorder"); }), ErrorCode::Corrupt);
  put("badgzip", body, {{"gzip", "yes"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.info("badgzip"); }), ErrorCode::Corrupt);
  put("unknown", body, {{"compression", "snappy"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.load("unknown"); }), ErrorCode::Unsupported);
  // A compressed body that is garbage, truncated, or decodes to the wrong size.
  put("garbage", body, {{"compression", "Zstd"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.load("garbage"); }), ErrorCode::Corrupt);
  Bytes gz = make_gzip_codec({.level = 9})->encode(body);
  put("truncated", ByteSpan(gz).first(gz.size() - 4),
      {{"compression", "gzip"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.load("truncated"); }), ErrorCode::Corrupt);
  put("wrongsize", gz, {{"compression", "gzip"}, {"dtype", "<f8"}, {"shape", "2,4"}});
  EXPECT_EQ(error_code_of([&] { arrays_.load("wrongsize"); }), ErrorCode::Corrupt);
  put("empty", ByteSpan{}, {{"compression", "LZ4"}, {"dtype", "<f8"}, {"shape", "2,3"}});
  EXPECT_EQ(error_code_of([&] { arrays_.load("empty"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { arrays_.load("missing"); }), ErrorCode::NotFound);
  EXPECT_EQ(error_code_of([&] { arrays_.info("missing"); }), ErrorCode::NotFound);
}

TEST_P(ArrayStoreTest, BadSaveArguments) {
  Array a(DType::of<double>(), Shape{2});
  EXPECT_EQ(error_code_of([&] { arrays_.save("a", a.view(), with("snappy")); }),
            ErrorCode::NotFound);
  EXPECT_EQ(error_code_of([&] { arrays_.save("a", a.view(), with("")); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] {
              arrays_.save("a", a.view(), {.compression = {}, .metadata = {{"Shape", "1"}}});
            }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { arrays_.save("", a.view()); }), ErrorCode::InvalidArgument);
  EXPECT_FALSE(store_->exists("a"));
  EXPECT_EQ(error_code_of([] { ArrayStore(nullptr); }), ErrorCode::InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, ArrayStoreTest, ::testing::Values("memory", "file"));
INSTANTIATE_TEST_SUITE_P(Stores, ReadingRules, ::testing::Values("memory", "file"));

}  // namespace
}  // namespace ndbucket

namespace ndbucket {
namespace {

// S3 lower-cases metadata names, other clients may not: names match in any case.
TEST(ArrayMetadata, NamesAndValuesMatchInAnyCase) {
  ArrayInfo info = parse_array_metadata({{"DType", ">i2"},
                                         {"SHAPE", "3,4"},
                                         {"Compression", "ZSTD"},
                                         {"Order", "f"},
                                         {"Author", "ana"}},
                                        "mem://m/x");
  EXPECT_EQ(info.dtype.str(), ">i2");
  EXPECT_EQ(info.shape, Shape({3, 4}));
  EXPECT_EQ(info.compression, "ZSTD");
  EXPECT_EQ(info.order, Order::C);  // order=F only counts for raw and gzip bodies
  EXPECT_EQ(info.metadata, (Metadata{{"Author", "ana"}}));
  ArrayInfo legacy = parse_array_metadata(
      {{"GZIP", "true"}, {"dtype", "<f8"}, {"shape", "2"}, {"ORDER", "F"}}, "x");
  EXPECT_EQ(legacy.compression, "gzip");
  EXPECT_EQ(legacy.order, Order::F);
  EXPECT_TRUE(is_raw_array_metadata({{"Compression", "False"}}));
  EXPECT_FALSE(is_raw_array_metadata({{"dtype", "<f8"}, {"shape", "2"}}));
  try {
    parse_array_metadata({{"dtype", "<f8"}}, "s3://bucket/run1/x");
    ADD_FAILURE();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::Corrupt);
    EXPECT_NE(error.message().find("s3://bucket/run1/x"), std::string::npos);
  }
}

}  // namespace
}  // namespace ndbucket
