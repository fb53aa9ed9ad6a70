// Zarr v2 interop with zarr-python 2.13 and dask through NDBUCKET_PYTHON, one Python process per
// direction (zarr_interop.py): every dtype x every codec, both dimension separators, C and F
// order, fill values (NaN, +-Infinity, numbers, strings), partial edge chunks and missing chunks,
// groups with consolidated metadata, dask sums, and cottoncandy's dask layout JSON.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "ndbucket/array/chunked.hpp"
#include "ndbucket/array/dask_layout.hpp"
#include "ndbucket/store/file_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::read_file;
using testing::write_file;

const char* const kDtypes[] = {"<f8", ">f8", "<f4", "<f2", "<i8",  ">i4", "<i2", "|i1", "|u1",
                               "<u2", ">u4", "<u8", "|b1", "<c16", ">c8", "|S4", "<U5", "|V8"};
const json kCodecs[] = {nullptr, "zlib", "gzip", "bz2", "zstd", "lz4", "blosc", "lzma"};

struct ShapeCase {
  Shape shape;
  std::vector<std::size_t> chunks;
};
const ShapeCase kShapes[] = {
    {Shape{7, 5}, {3, 2}}, {Shape{10}, {4}}, {Shape{5, 4, 3}, {2, 3, 2}}, {Shape{7, 5}, {7, 2}}};

// Runs the interop script; returns its exit status and its output.
int run_python(const std::string& mode, const fs::path& dir, std::string& output) {
  fs::path log = dir / (mode + ".log");
  std::string command = std::string(NDBUCKET_PYTHON) + " " + NDBUCKET_CHUNKED_INTEROP_SCRIPT + " " +
                        mode + " " + dir.string() + " > " + log.string() + " 2>&1";
  int status = std::system(command.c_str());
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  output = text.str();
  return status;
}

// The elements `region` selects from C-order bytes of `shape`, as C-order bytes.
Bytes select_bytes(const Bytes& full, const Shape& shape, std::size_t itemsize,
                   const Region& region) {
  std::vector<ResolvedSlice> r = resolve_region(region, shape);
  Bytes out;
  std::size_t n = shape.ndim();
  if (selection_shape(r).element_count() == 0) return out;
  std::vector<std::size_t> k(n, 0);
  while (true) {
    std::size_t flat = 0;
    for (std::size_t d = 0; d < n; ++d) flat = flat * shape[d] + r[d].start + k[d] * r[d].step;
    out.insert(out.end(), full.begin() + static_cast<std::ptrdiff_t>(flat * itemsize),
               full.begin() + static_cast<std::ptrdiff_t>((flat + 1) * itemsize));
    std::size_t d = n;
    while (d > 0 && ++k[d - 1] == r[d - 1].count) k[--d] = 0;
    if (d == 0) return out;
  }
}

double half_to_double(std::uint16_t h) {
  int exponent = (h >> 10) & 0x1F;
  double mantissa = h & 0x3FF;
  double value = exponent == 0    ? std::ldexp(mantissa, -24)
                 : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                  : std::ldexp(mantissa + 1024, exponent - 25);
  return (h & 0x8000) ? -value : value;
}

// The sum of a numeric (f, i, u, b) array's elements as doubles, as dask's astype('f8').sum().
double numeric_sum(Array array) {
  array.to_byte_order(native_byte_order());
  std::size_t size = array.dtype().itemsize();
  double sum = 0;
  for (std::size_t i = 0; i < array.element_count(); ++i) {
    const std::byte* p = array.data() + i * size;
    auto load = [&](auto zero) {
      decltype(zero) v;
      std::memcpy(&v, p, sizeof v);
      return static_cast<double>(v);
    };
    switch (array.dtype().kind()) {
      case DTypeKind::Float:
        sum += size == 2   ? half_to_double(static_cast<std::uint16_t>(load(std::uint16_t{})))
               : size == 4 ? load(0.0f)
                           : load(0.0);
        break;
      case DTypeKind::Int:
        sum += size == 1   ? load(std::int8_t{})
               : size == 2 ? load(std::int16_t{})
               : size == 4 ? load(std::int32_t{})
                           : load(std::int64_t{});
        break;
      default:  // UInt, Bool
        sum += size == 1   ? load(std::uint8_t{})
               : size == 2 ? load(std::uint16_t{})
               : size == 4 ? load(std::uint32_t{})
                           : load(std::uint64_t{});
    }
  }
  return sum;
}

bool is_numeric(const DType& dtype) {
  DTypeKind k = dtype.kind();
  return k == DTypeKind::Float || k == DTypeKind::Int || k == DTypeKind::UInt ||
         k == DTypeKind::Bool;
}

TEST(ChunkedInterop, NdbucketReadsZarrPython) {
  fs::path dir = testing::fresh_test_dir("zarr-from-python");
  std::string output;
  ASSERT_EQ(run_python("write", dir, output), 0) << output;
  auto store =
      std::make_shared<FileStore>(dir, FileStoreOptions{.create_root = false, .sync = false});
  json manifest = json::parse(as_string_view(read_file(dir / "manifest.json")));
  ASSERT_EQ(manifest["arrays"].size(), std::size(kDtypes) * std::size(kCodecs));
  for (const json& c : manifest["arrays"]) {
    std::string path = c["path"];
    SCOPED_TRACE(path + " " + c["dtype"].get<std::string>() + " " + c["compressor"].dump());
    ChunkedArray array = ChunkedArray::open(store, path);
    const ZarrArrayMetadata& m = array.metadata();
    EXPECT_EQ(m.dtype.str(), c["dtype"]);
    EXPECT_EQ(m.shape.dims(), c["shape"].get<std::vector<std::size_t>>());
    EXPECT_EQ(m.chunks, c["chunks"].get<std::vector<std::size_t>>());
    EXPECT_EQ(std::string(1, static_cast<char>(m.order)), c["order"]);
    EXPECT_EQ(std::string(1, m.dimension_separator), c["sep"]);
    EXPECT_EQ(m.compressor.is_null() ? json(nullptr) : m.compressor["id"], c["compressor"]);
    EXPECT_EQ(m.fill_value, c["fill"]);
    Bytes expected = read_file(dir / c["expected"].get<std::string>());
    Array whole = array.read();
    ASSERT_EQ(Bytes(whole.bytes().begin(), whole.bytes().end()), expected);
    Region region = parse_region(c["region"].get<std::string>());
    Array part = array.read(region);
    EXPECT_EQ(Bytes(part.bytes().begin(), part.bytes().end()),
              select_bytes(expected, m.shape, m.dtype.itemsize(), region));
    EXPECT_EQ(array.attributes(), c["attrs"]);
    if (!c["sum"].is_null()) {
      double sum = numeric_sum(std::move(whole));
      double want = c["sum"].get<double>();
      EXPECT_NEAR(sum, want, 1e-9 * std::max(1.0, std::abs(want)));
    }
  }
  ZarrGroup group = ZarrGroup::open(store, "grp");
  EXPECT_TRUE(group.consolidated());
  EXPECT_EQ(group.attributes()["title"], "from zarr-python");
  EXPECT_EQ(group.members().arrays, (std::vector<std::string>{"y"}));
  EXPECT_EQ(group.members().groups, (std::vector<std::string>{"sub"}));
  EXPECT_EQ(group.attributes("sub/x")["units"], "m");
  const json& g = manifest["groups"][0]["arrays"];
  EXPECT_EQ(group.open_array("sub/x").read().to_vector<std::int32_t>(),
            g["sub/x"].get<std::vector<std::int32_t>>());
  EXPECT_EQ(group.open_array("y").read().to_vector<double>(), g["y"].get<std::vector<double>>());
  EXPECT_EQ(list_zarr_group(*store, "grp/sub").arrays, (std::vector<std::string>{"x"}));
  if (!HasFailure()) fs::remove_all(dir);
}

// One element of `dtype` for case value number `i`, as Zarr fill JSON (which fill_value_bytes
// turns into stored bytes): floats are multiples of 1/4 so every float dtype holds them exactly.
json element_json(const DType& dtype, std::mt19937& rng) {
  auto quarter = [&] { return std::uniform_int_distribution<int>(-400, 400)(rng) / 4.0; };
  auto letters = [&](std::size_t n, bool unicode) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
      int c = std::uniform_int_distribution<int>(0, 26)(rng);
      s += c == 26 && unicode ? "\xc3\xa9" : std::string(1, static_cast<char>('a' + c % 26));
    }
    return s;
  };
  auto base64 = [](const std::string& raw) {
    static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < raw.size(); i += 3) {
      std::uint32_t v = static_cast<std::uint8_t>(raw[i]) << 16;
      if (i + 1 < raw.size()) v |= static_cast<std::uint8_t>(raw[i + 1]) << 8;
      if (i + 2 < raw.size()) v |= static_cast<std::uint8_t>(raw[i + 2]);
      out += digits[(v >> 18) & 63];
      out += digits[(v >> 12) & 63];
      out += i + 1 < raw.size() ? digits[(v >> 6) & 63] : '=';
      out += i + 2 < raw.size() ? digits[v & 63] : '=';
    }
    return out;
  };
  switch (dtype.kind()) {
    case DTypeKind::Float:
      return quarter();
    case DTypeKind::Complex:
      return json::array({quarter(), quarter()});
    case DTypeKind::Bool:
      return static_cast<bool>(rng() & 1);
    case DTypeKind::Int:
      return std::uniform_int_distribution<int>(-100, 100)(rng);
    case DTypeKind::UInt:
      return std::uniform_int_distribution<int>(0, 250)(rng);
    case DTypeKind::Bytes:
      return base64(letters(dtype.itemsize(), false));
    case DTypeKind::Unicode:
      return letters(dtype.itemsize() / 4, true);
    case DTypeKind::Void: {
      std::string raw;
      for (std::size_t i = 0; i < dtype.itemsize(); ++i) raw += static_cast<char>(rng());
      return base64(raw);
    }
  }
  return nullptr;
}

json fill_for(const DType& dtype, std::size_t index) {
  switch (dtype.kind()) {
    case DTypeKind::Float:
      return std::vector<json>{0, "NaN", "Infinity", "-Infinity", 1.5}[index % 5];
    case DTypeKind::Complex:
      return index % 2 ? json::array({"NaN", 1.0}) : json::array({0.0, 0.0});
    case DTypeKind::Int:
    case DTypeKind::UInt:
      return index % 2 ? 7 : 0;
    case DTypeKind::Bool:
      return index % 2 == 1;
    case DTypeKind::Unicode:
      return "ab";
    case DTypeKind::Bytes:
      return "eHk=";
    case DTypeKind::Void:
      return nullptr;
  }
  return nullptr;
}

json codec_config(const json& codec, std::size_t index) {
  if (codec.is_null() || codec != "blosc") return codec;
  const char* cnames[] = {"lz4", "zstd", "zlib", "blosclz"};
  return {{"id", "blosc"},
          {"cname", cnames[index % 4]},
          {"clevel", 5},
          {"shuffle", static_cast<int>(index % 3)},
          {"blocksize", 0}};
}

Array array_of(const DType& dtype, const Shape& shape, const std::vector<json>& elements) {
  Array out = Array::uninitialized(dtype, shape);
  for (std::size_t i = 0; i < elements.size(); ++i) {
    Bytes b = fill_value_bytes(elements[i], dtype, "test value");
    std::memcpy(out.data() + i * b.size(), b.data(), b.size());
  }
  return out;
}

TEST(ChunkedInterop, ZarrPythonReadsNdbucket) {
  fs::path dir = testing::fresh_test_dir("zarr-to-python");
  auto store =
      std::make_shared<FileStore>(dir, FileStoreOptions{.create_root = true, .sync = false});
  std::mt19937 rng(11);
  json cases = json::array();
  std::size_t index = 0;
  for (const char* typestr : kDtypes) {
    DType dtype = DType::parse(typestr);
    for (const json& codec : kCodecs) {
      const ShapeCase& sc = kShapes[index % std::size(kShapes)];
      std::string path = "n" + std::to_string(index);
      char sep = index % 2 ? '/' : '.';
      Order order = index % 3 == 1 ? Order::F : Order::C;
      json fill = fill_for(dtype, index);
      ChunkedArray array = ChunkedArray::create(store, path, sc.shape, dtype,
                                                {.chunks = sc.chunks,
                                                 .compressor = codec_config(codec, index),
                                                 .fill_value = fill,
                                                 .order = order,
                                                 .dimension_separator = sep,
                                                 .attributes = {{"case", index}}});
      std::vector<json> values(sc.shape.element_count());
      for (json& v : values) v = element_json(dtype, rng);
      std::vector<json> expected = values;
      Array full = array_of(dtype, sc.shape, values);
      if (index % 3 == 0 && !fill.is_null()) {
        // Only [1:4] per dimension: the other chunks stay missing and must read as fill.
        Region region(sc.shape.ndim(), Slice{1, 4});
        Shape sel = selection_shape(resolve_region(region, sc.shape));
        Bytes part = select_bytes(Bytes(full.bytes().begin(), full.bytes().end()), sc.shape,
                                  dtype.itemsize(), region);
        array.write(region, ArrayView(part.data(), dtype, sel));
        auto r = resolve_region(region, sc.shape);
        for (std::size_t flat = 0; flat < values.size(); ++flat) {
          std::size_t rest = flat;
          bool inside = true;
          for (std::size_t d = sc.shape.ndim(); d-- > 0;) {
            std::size_t at = rest % sc.shape[d];
            rest /= sc.shape[d];
            inside = inside && at >= r[d].start && at < r[d].start + r[d].count;
          }
          if (!inside) expected[flat] = fill;
        }
      } else {
        array.write({}, full.view());
      }
      Array want = array_of(dtype, sc.shape, expected);
      write_file(dir / (path + ".bin"), want.bytes());
      json sum = nullptr;
      if (is_numeric(dtype)) {
        double s = numeric_sum(std::move(want));
        if (std::isfinite(s)) sum = s;
      }
      std::string region_text;
      for (std::size_t d = 0; d < sc.shape.ndim(); ++d) region_text += d ? ",1::2" : "1::2";
      cases.push_back({{"path", path},
                       {"dtype", dtype.str()},
                       {"shape", sc.shape.dims()},
                       {"chunks", sc.chunks},
                       {"compressor", codec},
                       {"order", std::string(1, static_cast<char>(order))},
                       {"sep", std::string(1, sep)},
                       {"fill", array.metadata().fill_value},
                       {"expected", path + ".bin"},
                       {"region", region_text},
                       {"attrs", {{"case", index}}},
                       {"sum", sum}});
      ++index;
    }
  }
  // A group with consolidated metadata.
  create_zarr_group(*store, "grp", {{"title", "from ndbucket"}});
  create_zarr_group(*store, "grp/sub");
  std::vector<std::int32_t> x(12);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::int32_t>(i) * 3;
  save_chunked(store, "grp/sub/x", ArrayView::of(std::span<const std::int32_t>(x), Shape{3, 4}),
               {.create = {.chunks = {2, 3}}});
  write_file(dir / "grp-x.bin", as_bytes(std::string_view(reinterpret_cast<const char*>(x.data()),
                                                          x.size() * sizeof(std::int32_t))));
  consolidate_zarr_metadata(*store, "grp");
  // cottoncandy's dask layout, split into parts of 5 MiB along axis 0.
  std::vector<double> big(700 * 1000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<double>(i % 977);
  ArrayView big_view = ArrayView::of(std::span<const double>(big), Shape{700, 1000});
  save_dask_layout(ArrayStore(store), "dask/big", big_view,
                   {.axis = 0, .buffersize = std::uint64_t{5} << 20});
  write_file(dir / "dask-big.bin", big_view.bytes());

  json manifest = {
      {"arrays", cases},
      {"groups", json::array({{{"path", "grp"},
                               {"attrs", {{"title", "from ndbucket"}}},
                               {"arrays", {{"sub/x", "grp-x.bin"}}}}})},
      {"dask_layouts", json::array({{{"path", "dask/big"}, {"expected", "dask-big.bin"}}})}};
  std::string text = manifest.dump();
  write_file(dir / "manifest.json", as_bytes(text));
  std::string output;
  EXPECT_EQ(run_python("check", dir, output), 0) << output;
  EXPECT_NE(output.find("checked " + std::to_string(cases.size() + 2)), std::string::npos)
      << output;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace ndbucket
