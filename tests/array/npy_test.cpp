// .npy: header layout, every dtype x version x order, files, ArrayStore objects, hostile input.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/npy.hpp"
#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

using testing::error_code_of;

Array counting(const DType& dtype, const Shape& shape, Order order = Order::C) {
  Array a(dtype, shape, order);
  std::uint8_t n = 0;
  for (std::byte& b : a.bytes())
    b = static_cast<std::byte>(dtype.kind() == DTypeKind::Bool ? (n++ & 1) : n++);
  return a;
}

bool same_bytes(ByteSpan a, ByteSpan b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

TEST(Npy, HeaderIsWhatNumpyWrites) {
  Bytes header = make_npy_header(DType::parse("<f8"), Shape{2, 3}, Order::C);
  ASSERT_EQ(header.size(), 128u);
  std::string text(reinterpret_cast<const char*>(header.data()), header.size());
  EXPECT_EQ(text.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(static_cast<unsigned char>(text[8]) | static_cast<unsigned char>(text[9]) << 8, 118);
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(text.substr(10, dict.size()), dict);
  EXPECT_EQ(text.substr(10 + dict.size(), 127 - 10 - dict.size()),
            std::string(127 - 10 - dict.size(), ' '));
  EXPECT_EQ(text.back(), '\n');
  Bytes v2 = make_npy_header(DType::parse(">i4"), Shape{5}, Order::F, 2);
  EXPECT_EQ(v2.size() % 64, 0u);
  EXPECT_EQ(v2[6], std::byte{2});
  NpyHeader parsed = parse_npy_header(v2, "v2");
  EXPECT_EQ(parsed.major_version, 2);
  EXPECT_EQ(parsed.dtype.str(), ">i4");
  EXPECT_EQ(parsed.shape, Shape({5}));
  EXPECT_EQ(parsed.order, Order::F);
  EXPECT_EQ(parsed.data_offset, v2.size());
  EXPECT_EQ(parse_npy_header(make_npy_header(DType::parse("|u1"), Shape{}, Order::C, 3), "s").shape,
            Shape());
  EXPECT_EQ(error_code_of([] { make_npy_header(DType::parse("<f8"), Shape{}, Order::C, 4); }),
            ErrorCode::InvalidArgument);
}

TEST(Npy, RoundTripsEveryDtypeVersionAndOrder) {
  for (const char* typestr : {"<f8", ">f8", "<f4", "<f2", "<i8", ">i4", "<i2", "|i1", "|u1", "<u2",
                              ">u4", "<u8", "|b1", "<c16", ">c8", "|S4", "<U5", "|V8"}) {
    DType dtype = DType::parse(typestr);
    for (int version : {0, 1, 2, 3}) {
      for (Order order : {Order::C, Order::F}) {
        for (const Shape& shape : {Shape{}, Shape{0}, Shape{7}, Shape{2, 3, 4}, Shape{3, 0}}) {
          SCOPED_TRACE(std::string(typestr) + " v" + std::to_string(version) + " " +
                       shape.to_tuple());
          Array a = counting(dtype, shape, order);
          Bytes npy = encode_npy(a.view(), {.version = version});
          EXPECT_EQ(parse_npy_header(npy, "x").data_offset % 64, 0u);
          Array back = decode_npy(npy);
          EXPECT_EQ(back.dtype(), dtype);
          EXPECT_EQ(back.shape(), shape);
          // F order is kept only where it differs from C (ndim >= 2 with extents > 1).
          bool fortran = order == Order::F && !a.view().is_c_contiguous();
          EXPECT_EQ(back.order(), fortran ? Order::F : Order::C);
          EXPECT_TRUE(same_bytes(back.bytes(), a.bytes()));
        }
      }
    }
  }
}

TEST(Npy, NonContiguousViewsAreWrittenInCOrder) {
  std::vector<std::int16_t> values(24);
  for (int i = 0; i < 24; ++i) values[i] = static_cast<std::int16_t>(i);
  // Every other column of a (4, 6) C array, and a transposed (F-contiguous, kept as F) view.
  ArrayView sliced(reinterpret_cast<const std::byte*>(values.data()), DType::of<std::int16_t>(),
                   Shape{4, 3}, Strides{12, 4});
  Array back = decode_npy(encode_npy(sliced));
  EXPECT_EQ(back.order(), Order::C);
  EXPECT_EQ(back.to_vector<std::int16_t>(),
            (std::vector<std::int16_t>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}));
  ArrayView transposed(reinterpret_cast<const std::byte*>(values.data()), DType::of<std::int16_t>(),
                       Shape{4, 3, 2}, Strides{2, 8, 24});
  Array t = decode_npy(encode_npy(transposed));
  EXPECT_EQ(t.order(), Order::F);
  EXPECT_EQ(t.to_vector<std::int16_t>(), Array::copy_of(transposed).to_vector<std::int16_t>());
}

TEST(Npy, Files) {
  auto dir = testing::fresh_test_dir("npy-files");
  Array a = counting(DType::parse(">c16"), Shape{3, 4}, Order::F);
  save_npy_file(dir / "a.npy", a.view(), {.version = 2});
  Array back = load_npy_file(dir / "a.npy");
  EXPECT_EQ(back.dtype().str(), ">c16");
  EXPECT_EQ(back.order(), Order::F);
  EXPECT_TRUE(same_bytes(back.bytes(), a.bytes()));
  Array empty(DType::parse("<f4"), Shape{0, 5});
  save_npy_file(dir / "e.npy", empty.view());
  EXPECT_EQ(load_npy_file(dir / "e.npy").shape(), Shape({0, 5}));
  EXPECT_EQ(error_code_of([&] { load_npy_file(dir / "missing.npy"); }), ErrorCode::NotFound);
  EXPECT_EQ(error_code_of([&] { save_npy_file(dir / "no" / "dir.npy", a.view()); }),
            ErrorCode::NotFound);
  // A truncated file.
  Bytes npy = encode_npy(a.view());
  std::ofstream(dir / "t.npy", std::ios::binary)
      .write(reinterpret_cast<const char*>(npy.data()),
             static_cast<std::streamsize>(npy.size() - 1));
  EXPECT_EQ(error_code_of([&] { load_npy_file(dir / "t.npy"); }), ErrorCode::Corrupt);
}

TEST(Npy, ArrayStoreObjects) {
  for (auto store : {std::shared_ptr<ObjectStore>(std::make_shared<MemoryStore>()),
                     std::shared_ptr<ObjectStore>(std::make_shared<FileStore>(
                         testing::fresh_test_dir("npy-store"),
                         FileStoreOptions{.create_root = true, .sync = false}))}) {
    ArrayStore arrays(store);
    Array a = counting(DType::parse("<f8"), Shape{100, 30});  // > 4 KiB: a second ranged read
    arrays.save_npy("a.npy", a.view(), {{"author", "ana"}});
    EXPECT_EQ(store->head("a.npy")->metadata, (Metadata{{"author", "ana"}}));
    EXPECT_TRUE(same_bytes(arrays.load_npy("a.npy").bytes(), a.bytes()));
    Array small = counting(DType::parse("|u1"), Shape{3});
    arrays.save_npy("s.npy", small.view());
    EXPECT_TRUE(same_bytes(arrays.load_npy("s.npy").bytes(), small.bytes()));
    Array scalar(DType::parse("<i8"), Shape{});
    arrays.save_npy("0.npy", scalar.view());
    EXPECT_EQ(arrays.load_npy("0.npy").shape(), Shape());
    // A header longer than the first read.
    Bytes big_header = make_npy_header(DType::parse("<f8"), Shape{1}, Order::C);
    std::string text(reinterpret_cast<const char*>(big_header.data()), big_header.size());
    text = text.substr(0, 10) + "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" +
           std::string(6000, ' ') + "\n";
    std::uint16_t length = static_cast<std::uint16_t>(text.size() - 10);
    text[8] = static_cast<char>(length & 0xff);
    text[9] = static_cast<char>(length >> 8);
    text += std::string(8, '\x01');
    store->put("long.npy", as_bytes(text));
    EXPECT_EQ(arrays.load_npy("long.npy").nbytes(), 8u);
    store->put("short.npy", ByteSpan(encode_npy(a.view())).first(1000));
    EXPECT_EQ(error_code_of([&] { arrays.load_npy("short.npy"); }), ErrorCode::Corrupt);
    store->put("empty.npy", ByteSpan{});
    EXPECT_EQ(error_code_of([&] { arrays.load_npy("empty.npy"); }), ErrorCode::Corrupt);
    store->put("text", as_bytes("hello, world"));
    EXPECT_EQ(error_code_of([&] { arrays.load_npy("text"); }), ErrorCode::Corrupt);
    EXPECT_EQ(error_code_of([&] { arrays.load_npy("missing"); }), ErrorCode::NotFound);
    EXPECT_FALSE(is_raw_array_metadata(store->head("a.npy")->metadata));
  }
}

Bytes with_header(const std::string& dict, int version = 1) {
  Bytes out = to_bytes(std::string("\x93NUMPY", 6));
  out.push_back(static_cast<std::byte>(version));
  out.push_back(std::byte{0});
  std::size_t length = dict.size();
  for (int i = 0; i < (version == 1 ? 2 : 4); ++i) {
    out.push_back(static_cast<std::byte>((length >> (8 * i)) & 0xff));
  }
  ByteSpan text = as_bytes(dict);
  out.insert(out.end(), text.begin(), text.end());
  out.resize(out.size() + 4096, std::byte{0});  // room for small data
  return out;
}

TEST(Npy, HostileHeadersAreCorrupt) {
  // Accepted variants NumPy could write.
  for (const char* ok : {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\n",
                         "{\"descr\": \"<f8\", \"shape\": (2,3), \"fortran_order\": True}",
                         "{'shape': (2L, 3L), 'fortran_order': False, 'descr': '|u1'}",
                         "{'descr':'<i4','fortran_order':False,'shape':()}   \n"}) {
    EXPECT_NO_THROW(parse_npy_header(with_header(ok), "ok")) << ok;
  }
  for (const char* bad :
       {"",
        "{",
        "}",
        "{'descr': '<f8', 'fortran_order': False}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}",
        "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': ()}",
        "{'descr': '<f8', 'fortran_order': false, 'shape': ()}",
        "{'descr': '<f8', 'fortran_order': 0, 'shape': ()}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (5)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': [5]}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': ((5,),)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,,3)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)} junk",
        "{'descr': '<f3', 'fortran_order': False, 'shape': ()}",
        "{'descr': '<f8\\x', 'fortran_order': False, 'shape': ()}",
        "{'descr': '<f8, 'fortran_order': False, 'shape': ()}",
        "{'descr': <f8, 'fortran_order': False, 'shape': ()}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (\xff,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,\x00)}",
        "{'descr': '<f8' 'fortran_order': False, 'shape': ()}"}) {
    EXPECT_EQ(error_code_of([&] { parse_npy_header(with_header(bad), "bad"); }), ErrorCode::Corrupt)
        << bad;
  }
  std::string many = "{'descr': '<f8', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < 65; ++i) many += "1, ";
  EXPECT_EQ(error_code_of([&] { parse_npy_header(with_header(many + ")}"), "many"); }),
            ErrorCode::Corrupt);
  for (const char* unsupported : {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': ()}",
                                  "{'descr': '|O', 'fortran_order': False, 'shape': ()}",
                                  "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': ()}"}) {
    EXPECT_EQ(error_code_of([&] { parse_npy_header(with_header(unsupported), "u"); }),
              ErrorCode::Unsupported)
        << unsupported;
  }
  // Bad magic, version, lengths.
  Bytes good = encode_npy(counting(DType::parse("<f8"), Shape{2}).view());
  for (std::size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_EQ(error_code_of([&] { decode_npy(ByteSpan(good).first(cut)); }), ErrorCode::Corrupt)
        << cut;
  }
  Bytes bad_version = good;
  bad_version[6] = std::byte{4};
  EXPECT_EQ(error_code_of([&] { decode_npy(bad_version); }), ErrorCode::Corrupt);
  Bytes huge = with_header("{}", 2);
  huge[8] = huge[9] = huge[10] = huge[11] = std::byte{0xff};
  EXPECT_EQ(error_code_of([&] { decode_npy(huge); }), ErrorCode::Corrupt);
}

TEST(Npy, RandomMutationsNeverCrash) {
  Bytes good = encode_npy(counting(DType::parse("<i4"), Shape{3, 4}).view());
  std::mt19937 rng(5);
  int errors = 0;
  for (int round = 0; round < 20000; ++round) {
    Bytes mutated = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      mutated[rng() % 128] = static_cast<std::byte>(rng());
    }
    try {
      Array a = decode_npy(mutated);
      EXPECT_LE(a.nbytes(), mutated.size());
    } catch (const Error& error) {
      ++errors;
      EXPECT_TRUE(error.code() == ErrorCode::Corrupt || error.code() == ErrorCode::Unsupported)
          << error.what();
    }
  }
  EXPECT_GT(errors, 1000);
}

}  // namespace
}  // namespace ndbucket
