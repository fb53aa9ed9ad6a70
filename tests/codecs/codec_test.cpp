// Round trips, exact-size decoding, limits and byte formats of every built-in codec.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "codec_test_util.hpp"
#include "ndbucket/codecs/registry.hpp"

namespace ndbucket {
namespace {

using test::make_data;
using test::Pattern;
using test::registry;
using testing::error_code_of;

std::string describe(const nlohmann::json& config, Pattern pattern, std::size_t size) {
  return config.dump() + " " + test::pattern_name(pattern) + " " + std::to_string(size) + " B";
}

class EveryConfig : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(EveryConfig, RoundTripsAllSizesAndPatterns) {
  auto codec = registry().from_config(GetParam());
  for (Pattern pattern : {Pattern::kZeros, Pattern::kRandom, Pattern::kFloat64}) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{8}, std::size_t{1000},
                             std::size_t{1} << 20}) {
      SCOPED_TRACE(describe(GetParam(), pattern, size));
      const Bytes data = make_data(pattern, size);
      const EncodeHints hints{pattern == Pattern::kFloat64 ? 8u : 1u};
      const Bytes encoded = codec->encode(data, hints);
      ASSERT_FALSE(encoded.empty());
      ASSERT_LE(encoded.size(), codec->max_encoded_size(data.size()));
      EXPECT_EQ(codec->decode(encoded), data);

      Bytes into(data.size(), std::byte{0x5a});
      codec->decode_into(encoded, into);
      EXPECT_EQ(into, data);

      // encode_into writes the same bytes as encode into a caller buffer.
      Bytes buffer(codec->max_encoded_size(data.size()));
      const std::size_t written = codec->encode_into(data, buffer, hints);
      EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(written)),
                encoded);
    }
  }
}

TEST_P(EveryConfig, CompressesCompressibleData) {
  auto codec = registry().from_config(GetParam());
  if (GetParam().value("level", 1) == 0) GTEST_SKIP() << "level 0 stores";
  const Bytes zeros = make_data(Pattern::kZeros, 1 << 20);
  EXPECT_LT(codec->encode(zeros).size(), zeros.size() / 20) << GetParam().dump();
}

TEST_P(EveryConfig, DecodeIntoRejectsWrongSizes) {
  auto codec = registry().from_config(GetParam());
  for (std::size_t size : {std::size_t{0}, std::size_t{1000}, std::size_t{70000}}) {
    SCOPED_TRACE(describe(GetParam(), Pattern::kRandom, size));
    const Bytes data = make_data(Pattern::kRandom, size);
    const Bytes encoded = codec->encode(data);
    Bytes larger(size + 1);
    EXPECT_EQ(error_code_of([&] { codec->decode_into(encoded, larger); }), ErrorCode::Corrupt);
    if (size > 0) {
      Bytes smaller(size - 1);
      EXPECT_EQ(error_code_of([&] { codec->decode_into(encoded, smaller); }), ErrorCode::Corrupt);
      Bytes tiny(1);
      EXPECT_EQ(error_code_of([&] { codec->decode_into(encoded, tiny); }), ErrorCode::Corrupt);
    }
  }
}

TEST_P(EveryConfig, DecodeHonoursTheLimit) {
  auto codec = registry().from_config(GetParam());
  const Bytes data = make_data(Pattern::kZeros, 300000);
  const Bytes encoded = codec->encode(data);
  EXPECT_EQ(codec->decode(encoded, {.max_decoded_size = data.size()}), data);
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded, {.max_decoded_size = data.size() - 1}); }),
            ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded, {.max_decoded_size = 0}); }),
            ErrorCode::Corrupt);
}

TEST_P(EveryConfig, ConfigRoundTripsThroughTheRegistry) {
  auto codec = registry().from_config(GetParam());
  EXPECT_EQ(codec->config(), GetParam());
  auto again = registry().from_config_text(codec->config().dump());
  EXPECT_EQ(again->config(), GetParam());
  EXPECT_EQ(again->id(), GetParam()["id"].get<std::string>());
  // Equal configs write equal bytes.
  const Bytes data = make_data(Pattern::kFloat64, 50000);
  EXPECT_EQ(codec->encode(data), again->encode(data));
}

TEST_P(EveryConfig, EncodeIntoRefusesShortBuffers) {
  auto codec = registry().from_config(GetParam());
  const Bytes data = make_data(Pattern::kRandom, 1000);
  Bytes buffer(codec->max_encoded_size(data.size()) - 1);
  EXPECT_EQ(error_code_of([&] { codec->encode_into(data, buffer); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { codec->encode(data, EncodeHints{0}); }),
            ErrorCode::InvalidArgument);
}

TEST_P(EveryConfig, IsSafeToShareBetweenThreads) {
  auto codec = registry().from_config(GetParam());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        const Bytes data = make_data(Pattern::kFloat64, 20000 + 800 * (t * 8 + i),
                                     static_cast<std::uint32_t>(t * 100 + i));
        const Bytes encoded = codec->encode(data, {8});
        if (codec->decode(encoded) != data) ++failures;
        Bytes into(data.size());
        codec->decode_into(encoded, into);
        if (into != data) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Codecs, EveryConfig, ::testing::ValuesIn(test::interesting_configs()),
                         [](const auto& param_info) {
                           std::string name = param_info.param["id"].template get<std::string>() +
                                              "_" + std::to_string(param_info.index);
                           return name;
                         });

// The first bytes of each format, as docs/formats/cottoncandy.md lists them.
TEST(CodecFormat, ZlibLevel1StartsWith7801) {
  const Bytes encoded = make_zlib_codec()->encode(make_data(Pattern::kFloat64, 1000));
  ASSERT_GE(encoded.size(), 2u);
  EXPECT_EQ(encoded[0], std::byte{0x78});
  EXPECT_EQ(encoded[1], std::byte{0x01});
}

TEST(CodecFormat, GzipHeaderIsGzipFiles) {
  const Bytes level1 = make_gzip_codec()->encode(make_data(Pattern::kFloat64, 1000));
  const Bytes expected = {std::byte{0x1f}, std::byte{0x8b}, std::byte{8}, std::byte{0},
                          std::byte{0},    std::byte{0},    std::byte{0}, std::byte{0},
                          std::byte{4},    std::byte{0xff}};
  ASSERT_GE(level1.size(), 18u);
  EXPECT_EQ(Bytes(level1.begin(), level1.begin() + 10), expected);
  const Bytes level9 = make_gzip_codec({.level = 9})->encode(make_data(Pattern::kFloat64, 1000));
  EXPECT_EQ(level9[8], std::byte{2});
  const Bytes level5 = make_gzip_codec({.level = 5})->encode(make_data(Pattern::kFloat64, 1000));
  EXPECT_EQ(level5[8], std::byte{0});
  // ISIZE trailer.
  EXPECT_EQ(level1[level1.size() - 4], std::byte{0xe8});
  EXPECT_EQ(level1[level1.size() - 3], std::byte{0x03});
}

TEST(CodecFormat, Bz2StartsWithBlockSize) {
  const Bytes encoded = make_bz2_codec()->encode(make_data(Pattern::kRandom, 1000));
  EXPECT_EQ(as_string_view(encoded).substr(0, 4), "BZh1");
  const Bytes level9 = make_bz2_codec({.level = 9})->encode(make_data(Pattern::kRandom, 1000));
  EXPECT_EQ(as_string_view(level9).substr(0, 4), "BZh9");
}

TEST(CodecFormat, ZstdFrameCarriesContentSize) {
  const Bytes encoded = make_zstd_codec()->encode(make_data(Pattern::kFloat64, 123456));
  ASSERT_GE(encoded.size(), 8u);
  EXPECT_EQ(encoded[0], std::byte{0x28});
  EXPECT_EQ(encoded[1], std::byte{0xb5});
  EXPECT_EQ(encoded[2], std::byte{0x2f});
  EXPECT_EQ(encoded[3], std::byte{0xfd});
  // Frame header descriptor: a nonzero Frame_Content_Size_flag or the single-segment flag.
  const auto descriptor = std::to_integer<unsigned>(encoded[4]);
  EXPECT_TRUE((descriptor >> 6) != 0 || (descriptor & 0x20) != 0);
}

TEST(CodecFormat, Lz4IsSizePrefixedBlock) {
  const Bytes data = make_data(Pattern::kRandom, 70000);
  const Bytes encoded = make_lz4_codec()->encode(data);
  ASSERT_GT(encoded.size(), 4u);
  const std::uint32_t size = std::to_integer<std::uint32_t>(encoded[0]) |
                             std::to_integer<std::uint32_t>(encoded[1]) << 8 |
                             std::to_integer<std::uint32_t>(encoded[2]) << 16 |
                             std::to_integer<std::uint32_t>(encoded[3]) << 24;
  EXPECT_EQ(size, 70000u);
  // Not an LZ4 frame (magic 04 22 4d 18).
  EXPECT_NE(encoded[4], std::byte{0x04});
}

TEST(CodecFormat, LzmaIsXz) {
  const Bytes encoded = make_lzma_codec()->encode(make_data(Pattern::kFloat64, 1000));
  const Bytes magic = {std::byte{0xfd}, std::byte{0x37}, std::byte{0x7a},
                       std::byte{0x58}, std::byte{0x5a}, std::byte{0x00}};
  EXPECT_EQ(Bytes(encoded.begin(), encoded.begin() + 6), magic);
}

TEST(CodecFormat, BloscHeaderRecordsSizesAndTypesize) {
  const Bytes data = make_data(Pattern::kFloat64, 80000);
  const Bytes encoded = make_blosc_codec()->encode(data, {8});
  ASSERT_GE(encoded.size(), 16u);
  EXPECT_EQ(std::to_integer<int>(encoded[3]), 8);  // typesize
  const std::uint32_t nbytes = std::to_integer<std::uint32_t>(encoded[4]) |
                               std::to_integer<std::uint32_t>(encoded[5]) << 8 |
                               std::to_integer<std::uint32_t>(encoded[6]) << 16 |
                               std::to_integer<std::uint32_t>(encoded[7]) << 24;
  EXPECT_EQ(nbytes, 80000u);
  const std::uint32_t cbytes = std::to_integer<std::uint32_t>(encoded[12]) |
                               std::to_integer<std::uint32_t>(encoded[13]) << 8 |
                               std::to_integer<std::uint32_t>(encoded[14]) << 16 |
                               std::to_integer<std::uint32_t>(encoded[15]) << 24;
  EXPECT_EQ(cbytes, encoded.size());
  // Byte shuffle flag (bit 0) is set by default.
  EXPECT_EQ(std::to_integer<int>(encoded[2]) & 1, 1);
}

TEST(CodecFormat, BloscTypesizeChangesTheShuffle) {
  const Bytes data = make_data(Pattern::kFloat64, 80000);
  auto codec = make_blosc_codec();
  EXPECT_NE(codec->encode(data, {1}), codec->encode(data, {8}));
  EXPECT_EQ(codec->decode(codec->encode(data, {1})), data);
}

TEST(CodecFormat, ZstdWithWorkersStillCarriesContentSizeAndDecodes) {
  auto codec = make_zstd_codec({.level = 1, .workers = 2, .parallel_threshold = 1000});
  const Bytes data = make_data(Pattern::kFloat64, 3 << 20);
  const Bytes encoded = codec->encode(data);
  const auto descriptor = std::to_integer<unsigned>(encoded[4]);
  EXPECT_TRUE((descriptor >> 6) != 0 || (descriptor & 0x20) != 0);
  EXPECT_EQ(make_zstd_codec()->decode(encoded), data);
  Bytes into(data.size());
  make_zstd_codec()->decode_into(encoded, into);
  EXPECT_EQ(into, data);
}

TEST(CodecFormat, ZstdChecksumOptionAddsFourBytes) {
  const Bytes data = make_data(Pattern::kFloat64, 10000);
  const Bytes plain = make_zstd_codec()->encode(data);
  const Bytes checked = make_zstd_codec({.checksum = true})->encode(data);
  EXPECT_EQ(checked.size(), plain.size() + 4);
  EXPECT_EQ(make_zstd_codec()->decode(checked), data);
  EXPECT_EQ(make_zstd_codec({.checksum = true})->config(),
            (nlohmann::json{{"id", "zstd"}, {"level", 1}, {"checksum", true}}));
}

}  // namespace
}  // namespace ndbucket
