// Bad input: truncated, corrupted, forged sizes, garbage and decompression bombs must give
// Corrupt -- never a crash, a hang, another error kind or an out-of-bounds access (run under ASan).
#include <gtest/gtest.h>

#include <random>

#include "codec_test_util.hpp"
#include "ndbucket/codecs/registry.hpp"

namespace ndbucket {
namespace {

using test::make_data;
using test::Pattern;
using test::registry;
using testing::error_code_of;

// Decodes `input` both ways; returns nullopt when both succeed, else the error code, and fails
// the test on anything but ndbucket::Error.
std::optional<ErrorCode> try_decode(const Codec& codec, ByteSpan input, std::size_t expected) {
  std::optional<ErrorCode> code;
  try {
    Bytes out = codec.decode(input, {.max_decoded_size = 16 * expected + 1024});
  } catch (const Error& error) {
    code = error.code();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "decode threw a non-ndbucket exception: " << error.what();
  }
  try {
    Bytes into(expected);
    codec.decode_into(input, into);
  } catch (const Error& error) {
    code = error.code();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "decode_into threw a non-ndbucket exception: " << error.what();
  }
  return code;
}

class EveryCodec : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryCodec, EmptyInputIsCorrupt) {
  auto codec = registry().create(GetParam());
  EXPECT_EQ(error_code_of([&] { codec->decode({}); }), ErrorCode::Corrupt);
  Bytes none;
  EXPECT_EQ(error_code_of([&] { codec->decode_into({}, none); }), ErrorCode::Corrupt);
}

TEST_P(EveryCodec, EveryTruncationIsCorrupt) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kFloat64, 2000);
  const Bytes encoded = codec->encode(data, {8});
  for (std::size_t keep = 0; keep < encoded.size(); ++keep) {
    SCOPED_TRACE("keep " + std::to_string(keep) + " of " + std::to_string(encoded.size()));
    EXPECT_EQ(try_decode(*codec, ByteSpan(encoded).first(keep), data.size()), ErrorCode::Corrupt);
  }
}

TEST_P(EveryCodec, TrailingGarbageIsCorrupt) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kRandom, 1000);
  for (std::size_t extra : {1, 3, 100}) {
    Bytes encoded = codec->encode(data);
    encoded.resize(encoded.size() + extra, std::byte{0x42});
    EXPECT_EQ(try_decode(*codec, encoded, data.size()), ErrorCode::Corrupt) << extra;
  }
}

TEST_P(EveryCodec, GarbageIsCorrupt) {
  auto codec = registry().create(GetParam());
  std::mt19937 rng(7);
  for (std::size_t size : {1, 2, 4, 5, 16, 17, 100, 5000}) {
    Bytes garbage(size);
    for (auto& b : garbage) b = static_cast<std::byte>(rng());
    EXPECT_EQ(try_decode(*codec, garbage, 1000), ErrorCode::Corrupt) << size;
  }
}

TEST_P(EveryCodec, BitFlipsNeverCrash) {
  auto codec = registry().create(GetParam());
  std::mt19937 rng(11);
  const bool checksummed =
      GetParam() == "gzip" || GetParam() == "zlib" || GetParam() == "bz2" || GetParam() == "lzma";
  for (Pattern pattern : {Pattern::kFloat64, Pattern::kRandom, Pattern::kZeros}) {
    const Bytes data = make_data(pattern, 3000);
    const Bytes encoded = codec->encode(data, {pattern == Pattern::kFloat64 ? 8u : 1u});
    int detected = 0;
    constexpr int kTrials = 150;
    for (int trial = 0; trial < kTrials; ++trial) {
      Bytes damaged = encoded;
      const int flips = 1 + trial % 3;
      for (int f = 0; f < flips; ++f) {
        damaged[rng() % damaged.size()] ^= static_cast<std::byte>(1u << (rng() % 8));
      }
      auto code = try_decode(*codec, damaged, data.size());
      if (code) {
        EXPECT_EQ(code, ErrorCode::Corrupt);
        ++detected;
      } else if (checksummed) {
        // A flip the checksum cannot see (gzip's mtime, the final byte's padding bits) may pass,
        // but a format with an integrity check never returns different data.
        EXPECT_EQ(codec->decode(damaged), data) << "trial " << trial;
      }
    }
    if (checksummed && pattern != Pattern::kZeros) {
      EXPECT_GE(detected, kTrials * 9 / 10) << test::pattern_name(pattern);
    }
  }
}

TEST_P(EveryCodec, BombBeyondTheExpectedSizeIsCorrupt) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kZeros, 16 << 20);
  const Bytes encoded = codec->encode(data);
  ASSERT_LT(encoded.size(), data.size() / 100);
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded, {.max_decoded_size = 1 << 20}); }),
            ErrorCode::Corrupt);
  Bytes expected(1 << 20);
  EXPECT_EQ(error_code_of([&] { codec->decode_into(encoded, expected); }), ErrorCode::Corrupt);
}

INSTANTIATE_TEST_SUITE_P(Codecs, EveryCodec, ::testing::ValuesIn(test::builtin_ids()));

void put_le32(Bytes& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::byte>(value >> (8 * i));
}

TEST(ForgedSizes, Lz4ImpossibleDeclaredSizeIsRefusedBeforeAllocating) {
  auto codec = make_lz4_codec();
  Bytes encoded = codec->encode(make_data(Pattern::kRandom, 100));
  put_le32(encoded, 0, 0x7E000000);
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded); }), ErrorCode::Corrupt);
  put_le32(encoded, 0, 0xFFFFFFFF);
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded); }), ErrorCode::Corrupt);
  put_le32(encoded, 0, 101);  // plausible but wrong
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded); }), ErrorCode::Corrupt);
  put_le32(encoded, 0, 99);
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded); }), ErrorCode::Corrupt);
}

// Offset of the Frame_Content_Size field of a zstd frame and its width.
std::pair<std::size_t, std::size_t> zstd_fcs_field(const Bytes& frame) {
  const auto descriptor = std::to_integer<unsigned>(frame[4]);
  const bool single_segment = (descriptor & 0x20) != 0;
  const std::size_t dict_sizes[] = {0, 1, 2, 4};
  const std::size_t fcs_sizes[] = {single_segment ? 1u : 0u, 2, 4, 8};
  const std::size_t offset = 5 + (single_segment ? 0 : 1) + dict_sizes[descriptor & 3];
  return {offset, fcs_sizes[descriptor >> 6]};
}

TEST(ForgedSizes, ZstdWrongContentSizeIsCorrupt) {
  auto codec = make_zstd_codec();
  const Bytes data = make_data(Pattern::kRandom, 100000);
  const Bytes encoded = codec->encode(data);
  auto [offset, width] = zstd_fcs_field(encoded);
  ASSERT_EQ(width, 4u);
  for (std::uint32_t forged : {99999u, 100001u, 0xFFFFFFFFu}) {
    SCOPED_TRACE(forged);
    Bytes damaged = encoded;
    put_le32(damaged, offset, forged);
    EXPECT_EQ(error_code_of([&] { codec->decode(damaged); }), ErrorCode::Corrupt);
    Bytes into(data.size());
    EXPECT_EQ(error_code_of([&] { codec->decode_into(damaged, into); }), ErrorCode::Corrupt);
    Bytes output(data.size());
    auto decoder = codec->make_streaming_decoder(MutableByteSpan(output));
    EXPECT_EQ(error_code_of([&] {
                decoder->feed(damaged);
                decoder->finish();
              }),
              ErrorCode::Corrupt);
  }
}

TEST(ForgedSizes, BloscWrongHeaderSizesAreCorrupt) {
  for (int shuffle : {0, 1}) {
    auto codec = make_blosc_codec({.shuffle = shuffle});
    const Bytes data = make_data(Pattern::kFloat64, 100000);
    const Bytes encoded = codec->encode(data, {8});
    for (std::uint32_t nbytes : {99999u, 100001u, 0x7FFFFFEFu}) {
      Bytes damaged = encoded;
      put_le32(damaged, 4, nbytes);
      EXPECT_EQ(try_decode(*codec, damaged, data.size()), ErrorCode::Corrupt) << nbytes;
    }
    for (std::uint32_t cbytes : {16u, static_cast<std::uint32_t>(encoded.size() - 1),
                                 static_cast<std::uint32_t>(encoded.size() + 1), 0xFFFFFFFFu}) {
      Bytes damaged = encoded;
      put_le32(damaged, 12, cbytes);
      EXPECT_EQ(try_decode(*codec, damaged, data.size()), ErrorCode::Corrupt) << cbytes;
    }
  }
}

TEST(ForgedSizes, GzipWrongIsizeIsCorrupt) {
  auto codec = make_gzip_codec();
  const Bytes data = make_data(Pattern::kFloat64, 10000);
  for (std::uint32_t isize : {9999u, 10001u, 0u, 0xFFFFFFFFu}) {
    Bytes damaged = codec->encode(data);
    put_le32(damaged, damaged.size() - 4, isize);
    EXPECT_EQ(try_decode(*codec, damaged, data.size()), ErrorCode::Corrupt) << isize;
  }
}

}  // namespace
}  // namespace ndbucket
