// ChunkedArray (Zarr v2) and cottoncandy's dask layout on MemoryStore and FileStore: regions,
// metadata documents, fill values, partial writes, resize, groups, consolidated metadata, and
// request counts proving that a region read fetches only the chunks it intersects.
#include <gtest/gtest.h>

#include <cmath>
#include <mutex>
#include <numeric>
#include <random>

#include "ndbucket/array/chunked.hpp"
#include "ndbucket/array/dask_layout.hpp"
#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"

// After the ndbucket headers: dtype.hpp must precede bytes.hpp (GCC -Wshadow on DTypeKind::Bytes).
#include "chunked/counting_store.hpp"

namespace ndbucket {
namespace {

using nlohmann::json;
using testing::CountingStore;
using testing::error_code_of;

// The elements of a C-order array `full` (shape `shape`) that `region` selects, in C order.
template <typename T>
std::vector<T> naive_select(const std::vector<T>& full, const Shape& shape, const Region& region) {
  std::vector<ResolvedSlice> r = resolve_region(region, shape);
  std::vector<T> out;
  std::size_t n = shape.ndim();
  std::vector<std::size_t> k(n, 0);
  if (selection_shape(r).element_count() == 0) return out;
  while (true) {
    std::size_t flat = 0;
    for (std::size_t d = 0; d < n; ++d) flat = flat * shape[d] + r[d].start + k[d] * r[d].step;
    out.push_back(full[flat]);
    std::size_t d = n;
    while (d > 0 && ++k[d - 1] == r[d - 1].count) k[--d] = 0;
    if (d == 0) return out;
  }
}

std::vector<double> iota_values(std::size_t n) {
  std::vector<double> v(n);
  std::iota(v.begin(), v.end(), 1.0);
  return v;
}

// --- Regions ---

TEST(Region, ParsesNumpySyntax) {
  Region r = parse_region(" 0:10 , : ,5:20:2,-3,::4,-5:");
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0], (Slice{0, 10}));
  EXPECT_EQ(r[1], Slice::all());
  EXPECT_EQ(r[2], (Slice{5, 20, 2}));
  EXPECT_EQ(r[3], Slice::index(-3));
  EXPECT_EQ(r[4], (Slice{std::nullopt, std::nullopt, 4}));
  EXPECT_EQ(r[5], (Slice{-5, std::nullopt}));
  EXPECT_TRUE(parse_region("").empty());
  EXPECT_EQ(parse_region(format_region(r)), r);
  for (const char* bad : {"1:2:0", "a", "1:2:3:4", "1,,2", "...", "1:-1:-1", "1.5"}) {
    EXPECT_EQ(error_code_of([&] { parse_region(bad); }), ErrorCode::InvalidArgument) << bad;
  }
}

TEST(Region, ResolvesLikeNumpy) {
  Shape shape{10, 4};
  auto r = resolve_region({{-3, std::nullopt}, {1, 100, 2}}, shape);
  EXPECT_EQ(r[0], (ResolvedSlice{7, 3, 1}));
  EXPECT_EQ(r[1], (ResolvedSlice{1, 2, 2}));
  EXPECT_EQ(resolve_region({{5, 2}}, shape)[0].count, 0u);
  EXPECT_EQ(resolve_region({Slice::index(-1)}, shape)[0], (ResolvedSlice{9, 1, 1}));
  EXPECT_EQ(resolve_region({}, shape)[1], (ResolvedSlice{0, 4, 1}));
  EXPECT_EQ(error_code_of([&] {
              resolve_region({{}, {}, {}}, shape);
            }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { resolve_region({{0, 1, 0}}, shape); }), ErrorCode::InvalidArgument);
}

TEST(Region, ViewsSliceMemoryWithoutCopying) {
  Shape shape{4, 6};
  std::vector<double> full = iota_values(24);
  ArrayView view = ArrayView::of(std::span<const double>(full), shape);
  for (const char* text : {"1:3,::2", "-1,2:", "3:1", ":,5", "::3,-4::3"}) {
    Region region = parse_region(text);
    ArrayView part = region_view(view, region);
    EXPECT_EQ(Array::copy_of(part).to_vector<double>(), naive_select(full, shape, region)) << text;
  }
  EXPECT_EQ(region_view(view, parse_region("1:3,::2")).data(),
            reinterpret_cast<const std::byte*>(full.data() + 6));
}

// --- Metadata documents ---

constexpr const char* kZarrPythonZarray = R"({
    "chunks": [3, 2],
    "compressor": {"blocksize": 0, "clevel": 5, "cname": "lz4", "id": "blosc", "shuffle": 1},
    "dtype": "<f8",
    "fill_value": "NaN",
    "filters": null,
    "order": "C",
    "shape": [7, 5],
    "zarr_format": 2
})";

TEST(ZarrMetadata, ParsesWhatZarrPythonWrites) {
  ZarrArrayMetadata m = parse_zarray(std::string_view(kZarrPythonZarray), "t");
  EXPECT_EQ(m.shape, (Shape{7, 5}));
  EXPECT_EQ(m.chunks, (std::vector<std::size_t>{3, 2}));
  EXPECT_EQ(m.dtype.str(), "<f8");
  EXPECT_EQ(m.dimension_separator, '.');
  EXPECT_EQ(m.compressor["id"], "blosc");
  EXPECT_EQ(m.chunk_grid(), (std::vector<std::size_t>{3, 3}));
  EXPECT_EQ(parse_zarray(m.to_json(), "t"), m);
  EXPECT_NE(m.to_json().find("\n    \"chunks\": [\n        3,"), std::string::npos);
}

TEST(ZarrMetadata, RefusesMalformedDocuments) {
  json good = json::parse(kZarrPythonZarray);
  auto code_of = [](const json& doc) {
    return error_code_of([&] { parse_zarray(doc.dump(), "doc"); });
  };
  std::vector<std::pair<std::string, json>> broken = {
      {"zarr_format", 3},
      {"shape", "7"},
      {"shape", {7}},
      {"chunks", {3, 0}},
      {"chunks", {-1, 2}},
      {"dtype", "<q9"},
      {"dtype", 5},
      {"order", "K"},
      {"compressor", "zlib"},
      {"compressor", json::object()},
      {"dimension_separator", "-"},
      {"fill_value", "x"},
      {"chunks", {std::uint64_t{1} << 40, std::uint64_t{1} << 40}},
  };
  for (const auto& [name, value] : broken) {
    json doc = good;
    doc[name] = value;
    EXPECT_EQ(code_of(doc), ErrorCode::Corrupt) << name << "=" << value.dump();
  }
  json no_fill = good;
  no_fill.erase("fill_value");
  EXPECT_EQ(code_of(no_fill), ErrorCode::Corrupt);
  json filters = good;
  filters["filters"] = json::array({{{"id", "delta"}}});
  EXPECT_EQ(code_of(filters), ErrorCode::Unsupported);
  json structured = good;
  structured["dtype"] = json::array({json::array({"a", "<f8"})});
  EXPECT_EQ(code_of(structured), ErrorCode::Unsupported);
  for (std::string_view text : {"", "[", "[]", "{\"zarr_format\": 2", "\xff"}) {
    EXPECT_EQ(error_code_of([&] { parse_zarray(text, "t"); }), ErrorCode::Corrupt);
    EXPECT_EQ(error_code_of([&] { parse_zattrs(text, "t"); }), ErrorCode::Corrupt);
    EXPECT_EQ(error_code_of([&] { parse_zmetadata(text, "t"); }), ErrorCode::Corrupt);
    EXPECT_EQ(error_code_of([&] { parse_dask_metadata(text, "t"); }), ErrorCode::Corrupt);
  }
  EXPECT_EQ(error_code_of([&] { parse_zgroup("{\"zarr_format\": 3}", "t"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] {
              parse_zmetadata(R"({"metadata": {"a/.zarray": {}}, "zarr_consolidated_format": 1})",
                              "t");
            }),
            ErrorCode::Corrupt);
}

template <typename T>
T fill_as(const json& fill, const char* typestr) {
  Bytes b = fill_value_bytes(fill, DType::parse(typestr), "t");
  EXPECT_EQ(b.size(), sizeof(T));
  T value;
  std::memcpy(&value, b.data(), sizeof(T));
  return value;
}

TEST(ZarrMetadata, FillValuesFollowTheSpec) {
  EXPECT_TRUE(std::isnan(fill_as<double>("NaN", "<f8")));
  EXPECT_EQ(fill_as<double>("Infinity", "<f8"), INFINITY);
  EXPECT_EQ(fill_as<float>("-Infinity", "<f4"), -INFINITY);
  EXPECT_EQ(fill_as<float>(1.5, "<f4"), 1.5f);
  EXPECT_EQ(fill_as<std::uint16_t>(1.0, "<f2"), 0x3C00);
  EXPECT_EQ(fill_as<std::uint16_t>(-2.0, "<f2"), 0xC000);
  EXPECT_EQ(fill_as<std::uint16_t>("NaN", "<f2") & 0x7C00, 0x7C00);
  EXPECT_EQ(fill_as<std::int32_t>(-7, "<i4"), -7);
  EXPECT_EQ(fill_as<std::uint32_t>(7, ">u4"), 0x07000000u);
  EXPECT_EQ(fill_as<std::uint8_t>(true, "|b1"), 1);
  EXPECT_EQ(fill_as<std::uint64_t>(nullptr, "<u8"), 0u);
  auto c = fill_as<std::complex<double>>(json::array({1.0, "NaN"}), "<c16");
  EXPECT_EQ(c.real(), 1.0);
  EXPECT_TRUE(std::isnan(c.imag()));
  Bytes s = fill_value_bytes("YWI=", DType::parse("|S4"), "t");  // base64 of "ab"
  EXPECT_EQ(s, (Bytes{std::byte{'a'}, std::byte{'b'}, std::byte{0}, std::byte{0}}));
  Bytes u = fill_value_bytes("\xc3\xa9", DType::parse("<U2"), "t");
  EXPECT_EQ(u[0], std::byte{0xE9});
  for (auto [fill, type] : std::vector<std::pair<json, const char*>>{{300, "|u1"},
                                                                     {-1, "<u4"},
                                                                     {"x", "<i4"},
                                                                     {"nan", "<f8"},
                                                                     {1.5, "<i8"},
                                                                     {"YWI", "|S4"},
                                                                     {"YWJjZGVm", "|S4"},
                                                                     {2, "|b1"},
                                                                     {"abc", "<U2"}}) {
    EXPECT_EQ(error_code_of([&] { fill_value_bytes(fill, DType::parse(type), "t"); }),
              ErrorCode::Corrupt)
        << fill.dump() << " " << type;
  }
}

// --- Arrays on stores ---

struct Layout {
  std::string store;  // "memory" or "file"
  Order order;
  char separator;
  json compressor;
};

void PrintTo(const Layout& l, std::ostream* out) {
  *out << l.store << " order=" << static_cast<char>(l.order) << " sep=" << l.separator << " "
       << l.compressor.dump();
}

std::string layout_name(const ::testing::TestParamInfo<Layout>& info) {
  const Layout& l = info.param;
  std::string c = l.compressor.is_null() ? "raw" : l.compressor.get<std::string>();
  return l.store + (l.order == Order::C ? "_C" : "_F") + (l.separator == '.' ? "_dot" : "_slash") +
         "_" + c;
}

class ChunkedLayouts : public ::testing::TestWithParam<Layout> {
 protected:
  std::shared_ptr<ObjectStore> make_store() {
    if (GetParam().store == "file") return testing::make_temp_file_store("chunked");
    return std::make_shared<MemoryStore>();
  }
  ChunkedCreateOptions options(json fill = 0) {
    return {.chunks = {3, 2, 4},
            .compressor = GetParam().compressor,
            .fill_value = std::move(fill),
            .order = GetParam().order,
            .dimension_separator = GetParam().separator};
  }
};

TEST_P(ChunkedLayouts, RegionsReadBackWhatWasWritten) {
  auto store = make_store();
  Shape shape{7, 5, 9};
  std::vector<double> full = iota_values(shape.element_count());
  auto array = ChunkedArray::create(store, "g/a", shape, DType::of<double>(), options());
  array.write({}, ArrayView::of(std::span<const double>(full), shape));
  auto reopened = ChunkedArray::open(store, "g/a");
  EXPECT_EQ(reopened.metadata(), array.metadata());
  EXPECT_EQ(reopened.read().to_vector<double>(), full);
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    Region region;
    for (std::size_t d = 0; d < 3; ++d) {
      std::int64_t n = static_cast<std::int64_t>(shape[d]);
      std::int64_t a = std::uniform_int_distribution<std::int64_t>(-n, n)(rng);
      std::int64_t b = std::uniform_int_distribution<std::int64_t>(-n, n + 2)(rng);
      std::int64_t step = std::uniform_int_distribution<std::int64_t>(1, 4)(rng);
      region.push_back({a, b, step});
    }
    Array got = reopened.read(region);
    EXPECT_EQ(got.shape(), selection_shape(resolve_region(region, shape))) << format_region(region);
    EXPECT_EQ(got.to_vector<double>(), naive_select(full, shape, region)) << format_region(region);
  }
  std::string chunk = GetParam().separator == '.' ? "g/a/2.2.2" : "g/a/2/2/2";
  EXPECT_TRUE(store->exists(chunk));
  EXPECT_EQ(array.chunk_key({2, 2, 2}), chunk);
}

TEST_P(ChunkedLayouts, PartialWritesKeepNeighboursAndFillTheRest) {
  auto store = make_store();
  Shape shape{7, 5, 9};
  auto array = ChunkedArray::create(store, "a", shape, DType::of<double>(), options("NaN"));
  std::vector<double> expected(shape.element_count(), NAN);
  // Two overlapping writes at odd offsets and a strided one: every write lands on chunk edges.
  std::vector<std::pair<Region, double>> writes = {{{{1, 6}, {0, 3}, {2, 9}}, 100},
                                                   {{{4, 7}, {2, 5}, {0, 5}}, 1000},
                                                   {{{0, 7, 3}, {1, 5, 2}, {8, 9}}, 5000}};
  for (const auto& [region, base] : writes) {
    Shape sel = selection_shape(resolve_region(region, shape));
    std::vector<double> values(sel.element_count());
    std::iota(values.begin(), values.end(), base);
    array.write(region, ArrayView::of(std::span<const double>(values), sel));
    // Apply the same write to the reference.
    std::vector<ResolvedSlice> r = resolve_region(region, shape);
    std::size_t v = 0;
    for (std::size_t i = 0; i < r[0].count; ++i)
      for (std::size_t j = 0; j < r[1].count; ++j)
        for (std::size_t k = 0; k < r[2].count; ++k)
          expected[((r[0].start + i * r[0].step) * 5 + r[1].start + j * r[1].step) * 9 +
                   r[2].start + k * r[2].step] = values[v++];
  }
  std::vector<double> got = ChunkedArray::open(store, "a").read().to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << i;
    } else {
      EXPECT_EQ(got[i], expected[i]) << i;
    }
  }
}

TEST_P(ChunkedLayouts, ReadIntoStridedForeignOrderDestination) {
  auto store = make_store();
  Shape shape{6, 8};
  std::vector<std::int32_t> full(48);
  std::iota(full.begin(), full.end(), -20);
  auto array = ChunkedArray::create(store, "x", shape, DType::parse(">i4"),
                                    {.chunks = {4, 3},
                                     .compressor = GetParam().compressor,
                                     .order = GetParam().order,
                                     .dimension_separator = GetParam().separator});
  array.write({}, ArrayView::of(std::span<const std::int32_t>(full), shape));
  // A transposed little-endian destination: (8, 6) in memory, viewed as (6, 8).
  std::vector<std::int32_t> memory(48, 0);
  MutableArrayView transposed(reinterpret_cast<std::byte*>(memory.data()),
                              DType::of<std::int32_t>(), shape, Strides{4, 24});
  array.read_into({}, transposed);
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t j = 0; j < 8; ++j) EXPECT_EQ(memory[j * 6 + i], full[i * 8 + j]);
  EXPECT_EQ(error_code_of([&] {
              array.read_into({{0, 2}}, transposed);
            }),
            ErrorCode::InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(All, ChunkedLayouts,
                         ::testing::Values(Layout{"memory", Order::C, '.', nullptr},
                                           Layout{"memory", Order::F, '/', "zstd"},
                                           Layout{"memory", Order::C, '/', "blosc"},
                                           Layout{"file", Order::C, '.', "zlib"},
                                           Layout{"file", Order::F, '/', "lz4"},
                                           Layout{"file", Order::F, '.', nullptr}),
                         layout_name);

TEST(ChunkedArray, RegionReadFetchesOnlyIntersectingChunks) {
  auto counting = std::make_shared<CountingStore>(std::make_shared<MemoryStore>());
  Shape shape{100, 60};
  std::vector<double> full = iota_values(shape.element_count());
  auto array = save_chunked(counting, "a", ArrayView::of(std::span<const double>(full), shape),
                            {.create = {.chunks = {10, 20}, .compressor = "zstd"}});
  auto opened = ChunkedArray::open(counting, "a");
  for (const Region& region : std::vector<Region>{
           {{15, 32}, {25, 41}}, {{0, 100, 30}, {59, 60}}, {Slice::index(99)}, {{5, 5}}}) {
    counting->reset();
    Array got = opened.read(region);
    EXPECT_EQ(got.to_vector<double>(), naive_select(full, shape, region));
    std::map<std::string, std::size_t> expected;
    for (const auto& index : opened.chunks_in(region)) expected[opened.chunk_key(index)] = 1;
    EXPECT_EQ(counting->keys_read(), expected) << format_region(region);
    EXPECT_EQ(counting->requests("list") + counting->requests("head"), 0u);
  }
  // 15:32 x 25:41 -> chunk rows 1..3, chunk columns 1..2: 6 chunks of the 30.
  EXPECT_EQ(opened.chunks_in({{15, 32}, {25, 41}}).size(), 6u);
  // A step wider than a chunk skips the chunks in between: rows 0, 30, 60, 90.
  EXPECT_EQ(opened.chunks_in({{0, 100, 30}, {59, 60}}).size(), 4u);
  EXPECT_TRUE(opened.chunks_in({{5, 5}}).empty());
}

TEST(ChunkedArray, MissingChunksReadAsFillAndCorruptChunksFail) {
  auto store = std::make_shared<MemoryStore>();
  auto array =
      ChunkedArray::create(store, "a", Shape{5}, DType::of<float>(),
                           {.chunks = {2}, .compressor = "zlib", .fill_value = "-Infinity"});
  std::vector<float> two{1, 2};
  array.write({{2, 4}}, ArrayView::of(std::span<const float>(two), Shape{2}));
  EXPECT_EQ(array.read().to_vector<float>(),
            (std::vector<float>{-INFINITY, -INFINITY, 1, 2, -INFINITY}));
  EXPECT_EQ(array.stored_stats().chunks_stored, 1u);
  store->put("a/1", as_bytes("garbage"));
  EXPECT_EQ(error_code_of([&] { array.read(); }), ErrorCode::Corrupt);
  auto raw = ChunkedArray::create(store, "r", Shape{5}, DType::of<float>(),
                                  {.chunks = {2}, .compressor = nullptr});
  store->put("r/0", as_bytes("short"));
  EXPECT_EQ(error_code_of([&] { raw.read(); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] {
              array.write({{0, 2}}, ArrayView::of(std::span<const float>(two), Shape{3}));
            }),
            ErrorCode::InvalidArgument);
}

TEST(ChunkedArray, ReportsProgressPerChunkAndStopsWhenCancelled) {
  auto store = std::make_shared<MemoryStore>();
  std::vector<double> v = iota_values(100);
  ChunkedIoOptions io;
  io.transfer.concurrency = 3;
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
  io.transfer.progress = [&](std::uint64_t done, std::uint64_t total) {
    std::lock_guard guard(mutex);
    calls.emplace_back(done, total);
  };
  auto array = save_chunked(store, "a", ArrayView::of(std::span<const double>(v), Shape{100}),
                            {.create = {.chunks = {10}}, .io = io});
  ASSERT_EQ(calls.size(), 10u);
  EXPECT_EQ(calls.back(), (std::pair<std::uint64_t, std::uint64_t>{10, 10}));
  io.transfer.progress = nullptr;
  io.transfer.cancel.cancel();
  auto cancelled = ChunkedArray::open(store, "a", io);
  EXPECT_EQ(error_code_of([&] { cancelled.read(); }), ErrorCode::Unavailable);
  io.transfer.concurrency = 0;
  EXPECT_EQ(error_code_of([&] { ChunkedArray::open(store, "a", io).read(); }),
            ErrorCode::InvalidArgument);
}

TEST(ChunkedArray, CreateChecksItsArguments) {
  auto store = std::make_shared<MemoryStore>();
  auto create = [&](ChunkedCreateOptions options, Shape shape = Shape{4, 4}) {
    return error_code_of(
        [&] { ChunkedArray::create(store, "a", shape, DType::of<double>(), options); });
  };
  EXPECT_EQ(create({.chunks = {2}}), ErrorCode::InvalidArgument);
  EXPECT_EQ(create({.chunks = {2, 0}}), ErrorCode::InvalidArgument);
  EXPECT_EQ(create({.fill_value = "abc"}), ErrorCode::InvalidArgument);
  EXPECT_EQ(create({.compressor = "nope"}), ErrorCode::NotFound);
  EXPECT_EQ(create({.compressor = {{"id", "zstd"}, {"level", 99}}}), ErrorCode::InvalidArgument);
  EXPECT_EQ(create({.dimension_separator = '-'}), ErrorCode::InvalidArgument);
  EXPECT_EQ(create({.attributes = json::array()}), ErrorCode::InvalidArgument);
  ChunkedArray::create(store, "a", Shape{4, 4}, DType::of<double>(), {.attributes = {{"u", 1}}});
  EXPECT_EQ(create({}), ErrorCode::AlreadyExists);
  store->put("a/0.0", as_bytes("old chunk"));
  ChunkedArray::create(store, "a", Shape{2}, DType::of<double>(), {.overwrite = true});
  EXPECT_FALSE(store->exists("a/0.0"));
  EXPECT_FALSE(store->exists("a/.zattrs"));
  EXPECT_EQ(error_code_of([&] { ChunkedArray::open(store, "missing"); }), ErrorCode::NotFound);
}

TEST(ChunkedArray, NaNFillFromADoubleIsWrittenAsText) {
  auto store = std::make_shared<MemoryStore>();
  auto array =
      ChunkedArray::create(store, "a", Shape{3}, DType::of<double>(), {.fill_value = std::nan("")});
  EXPECT_EQ(array.metadata().fill_value, "NaN");
  EXPECT_TRUE(std::isnan(array.read().to_vector<double>()[1]));
}

TEST(ChunkedArray, ResizeDeletesChunksOutsideAndGrowsWithFill) {
  auto store = std::make_shared<MemoryStore>();
  std::vector<std::int16_t> values(30);
  std::iota(values.begin(), values.end(), 1);
  auto array =
      save_chunked(store, "a", ArrayView::of(std::span<const std::int16_t>(values), Shape{5, 6}),
                   {.create = {.chunks = {2, 4}, .fill_value = -1}});
  EXPECT_EQ(array.stored_stats().chunks_stored, 6u);
  array.resize(Shape{3, 4});
  EXPECT_EQ(array.stored_stats().chunks_stored, 2u);  // rows 0-3 x cols 0-3
  EXPECT_EQ(ChunkedArray::open(store, "a").shape(), (Shape{3, 4}));
  EXPECT_EQ(array.read().to_vector<std::int16_t>(),
            (std::vector<std::int16_t>{1, 2, 3, 4, 7, 8, 9, 10, 13, 14, 15, 16}));
  array.resize(Shape{3, 9});
  std::vector<std::int16_t> row0 = array.read({Slice::index(0)}).to_vector<std::int16_t>();
  // Chunk (0, 1) held columns 4..7 and was deleted by the shrink: they read as fill now.
  EXPECT_EQ(row0, (std::vector<std::int16_t>{1, 2, 3, 4, -1, -1, -1, -1, -1}));
  EXPECT_EQ(error_code_of([&] { array.resize(Shape{3}); }), ErrorCode::InvalidArgument);
}

TEST(ChunkedArray, ZeroDimensionalAndEmptyArrays) {
  auto store = std::make_shared<MemoryStore>();
  std::vector<double> one{42};
  auto scalar = save_chunked(store, "s", ArrayView::of(std::span<const double>(one), Shape{}));
  EXPECT_TRUE(store->exists("s/0"));
  EXPECT_EQ(ChunkedArray::open(store, "s").read().to_vector<double>(), one);
  auto empty = ChunkedArray::create(store, "e", Shape{0, 3}, DType::of<double>());
  EXPECT_EQ(empty.read().shape(), (Shape{0, 3}));
  EXPECT_EQ(empty.metadata().chunks, (std::vector<std::size_t>{1, 3}));
}

TEST(ChunkedArray, ChooseChunkShapeAimsAtTheTarget) {
  DType f4 = DType::of<float>();
  EXPECT_EQ(choose_chunk_shape(Shape{1000, 1000}, f4, 4 << 20),
            (std::vector<std::size_t>{1000, 1000}));
  EXPECT_EQ(choose_chunk_shape(Shape{4096, 4096}, f4, 4 << 20),
            (std::vector<std::size_t>{1024, 1024}));
  EXPECT_EQ(choose_chunk_shape(Shape{100000000}, f4, 4 << 20), (std::vector<std::size_t>{781250}));
  EXPECT_EQ(choose_chunk_shape(Shape{0, 7}, f4, 16), (std::vector<std::size_t>{1, 4}));
  auto chunks = choose_chunk_shape(Shape{300, 512, 512}, f4, 4 << 20);
  std::size_t bytes = 4;
  for (std::size_t c : chunks) bytes *= c;
  EXPECT_LE(bytes, std::size_t{4} << 20);
  EXPECT_GT(bytes, std::size_t{1} << 20);
}

TEST(ChunkedArray, AttributesGroupsAndConsolidatedMetadata) {
  auto counting = std::make_shared<CountingStore>(std::make_shared<MemoryStore>());
  ObjectStore& store = *counting;
  create_zarr_group(store, "", {{"title", "root"}});
  create_zarr_group(store, "sub");
  std::vector<double> v{1, 2, 3};
  save_chunked(counting, "sub/x", ArrayView::of(std::span<const double>(v), Shape{3}),
               {.create = {.attributes = {{"units", "m"}}}});
  auto y = ChunkedArray::create(counting, "y", Shape{2}, DType::of<std::int8_t>());
  y.set_attributes({{"k", json::array({1, 2})}});
  EXPECT_EQ(y.attributes()["k"][1], 2);
  EXPECT_EQ(read_zarr_attributes(store, "")["title"], "root");
  ZarrGroupMembers root = list_zarr_group(store, "");
  EXPECT_EQ(root.arrays, (std::vector<std::string>{"y"}));
  EXPECT_EQ(root.groups, (std::vector<std::string>{"sub"}));
  EXPECT_EQ(error_code_of([&] { list_zarr_group(store, "y"); }), ErrorCode::NotFound);
  EXPECT_EQ(error_code_of([&] { create_zarr_group(store, "y"); }), ErrorCode::AlreadyExists);

  ZarrConsolidated c = consolidate_zarr_metadata(store, "");
  EXPECT_TRUE(c.documents.count(".zgroup"));
  EXPECT_TRUE(c.documents.count("sub/x/.zarray"));
  EXPECT_EQ(c.documents["sub/x/.zattrs"]["units"], "m");
  EXPECT_EQ(parse_zmetadata(c.to_json(), "t").documents, c.documents);

  counting->reset();
  ZarrGroup group = ZarrGroup::open(counting, "");
  EXPECT_TRUE(group.consolidated());
  EXPECT_EQ(group.members().arrays, root.arrays);
  EXPECT_EQ(group.members("sub").arrays, (std::vector<std::string>{"x"}));
  EXPECT_EQ(group.attributes("sub/x")["units"], "m");
  ChunkedArray x = group.open_array("sub/x");
  EXPECT_EQ(x.read().to_vector<double>(), v);
  // One GET for .zmetadata, one for x's only chunk; no .zarray, no listing, no HEAD.
  EXPECT_EQ(counting->requests("get"), 2u);
  EXPECT_EQ(counting->requests("list") + counting->requests("head"), 0u);
  EXPECT_FALSE(ZarrGroup::open(counting, "", false).consolidated());
  EXPECT_EQ(ZarrGroup::open(counting, "", false).open_array("sub/x").shape(), Shape{3});
}

// --- cottoncandy's dask layout ---

TEST(DaskLayout, SplitsAsCottoncandy) {
  auto chunks = dask_layout_chunks(Shape{2304, 1024}, 8, 0, std::uint64_t{5} << 20);
  EXPECT_EQ(chunks, (std::vector<std::vector<std::size_t>>{{640, 640, 640, 384, 0}, {1024}}));
  EXPECT_EQ(dask_layout_chunks(Shape{2, 3, 4}, 8, -1, std::uint64_t{100} << 20),
            (std::vector<std::vector<std::size_t>>{{2}, {3}, {4, 0}}));
  EXPECT_EQ(error_code_of([&] { dask_layout_chunks(Shape{4}, 8, -1, 1 << 20); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { dask_layout_chunks(Shape{4}, 8, 1, 100 << 20); }),
            ErrorCode::InvalidArgument);
}

TEST(DaskLayout, WritesCottoncandysJsonAndReadsLazily) {
  auto counting = std::make_shared<CountingStore>(std::make_shared<MemoryStore>());
  ArrayStore arrays(counting);
  Shape shape{2, 3, 4};
  std::vector<double> full = iota_values(24);
  DaskLayoutMetadata m =
      save_dask_layout(arrays, "dask/small", ArrayView::of(std::span<const double>(full), shape));
  EXPECT_EQ(as_string_view(counting->get("dask/small/metadata.json").body),
            R"({"shape": [2, 3, 4], "dtype": "<f8", "dask": [[[0, 0, 0], "dask/small/pt0000"], )"
            R"([[0, 0, 1], "dask/small/pt0001"]], "chunk_sizes": [[2, 3, 4], [2, 3, 0]], )"
            R"("chunks": [[2], [3], [4, 0]]})");
  EXPECT_EQ(arrays.info("dask/small/pt0001").shape, (Shape{2, 3, 0}));
  EXPECT_EQ(arrays.info("dask/small/pt0000").compression, "gzip");

  // A larger one split along axis 0 in parts of 5 MiB: read a region inside one part.
  Shape big{2304, 1024};
  std::vector<double> values = iota_values(big.element_count());
  save_dask_layout(arrays, "dask/arr", ArrayView::of(std::span<const double>(values), big),
                   {.axis = 0,
                    .buffersize = std::uint64_t{5} << 20,
                    .part = {.compression = "Zstd", .metadata = {}}});
  auto opened = ChunkedArray::open(counting, "dask/arr");
  EXPECT_EQ(opened.layout(), ChunkedLayout::CottoncandyDask);
  EXPECT_EQ(opened.chunk_starts()[0], (std::vector<std::size_t>{0, 640, 1280, 1920, 2304}));
  counting->reset();
  Region region{{700, 1300, 3}, {10, 20}};
  EXPECT_EQ(opened.read(region).to_vector<double>(), naive_select(values, big, region));
  std::map<std::string, std::size_t> keys = counting->keys_read();
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_TRUE(keys.count("dask/arr/pt0001") && keys.count("dask/arr/pt0002"));
  EXPECT_EQ(opened.read().to_vector<double>(), values);
  EXPECT_EQ(
      error_code_of([&] { opened.write({}, ArrayView::of(std::span<const double>(values), big)); }),
      ErrorCode::Unsupported);
}

}  // namespace
}  // namespace ndbucket
