// Inputs over 4 GiB through every codec whose format allows them (all but lz4 and blosc).
// Label "large": needs about 20 GB of RAM and a few minutes.
#include <gtest/gtest.h>

#include "codec_test_util.hpp"
#include "ndbucket/codecs/registry.hpp"

namespace ndbucket {
namespace {

class LargeInput : public ::testing::TestWithParam<std::string> {};

TEST_P(LargeInput, RoundTripsMoreThan4GiB) {
  auto codec = CodecRegistry::with_builtins().create(GetParam());
  const std::size_t size = (std::size_t{4} << 30) + 12345;
  Bytes data(size);
  // Mostly zeros (fast to compress) with a marker every MiB, so misplaced output is caught.
  for (std::size_t i = 0; i < size; i += 1 << 20) data[i] = static_cast<std::byte>(i >> 20);
  data[size - 1] = std::byte{0x7f};
  Bytes encoded = codec->encode(data);
  {
    Bytes decoded = codec->decode(encoded);
    ASSERT_EQ(decoded.size(), size);
    EXPECT_TRUE(decoded == data);
  }
  Bytes into(size);
  codec->decode_into(encoded, into);
  EXPECT_TRUE(into == data);
}

INSTANTIATE_TEST_SUITE_P(Codecs, LargeInput,
                         ::testing::Values("zlib", "gzip", "bz2", "zstd", "lzma"));

}  // namespace
}  // namespace ndbucket
