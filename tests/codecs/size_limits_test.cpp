// The loops that let zlib, gzip and bz2 (32-bit counters) handle inputs over 4 GiB, exercised by
// shrinking the per-call step, and the formats' hard size limits (lz4, blosc).
#include <gtest/gtest.h>

#include <sys/mman.h>

#include "codec_test_util.hpp"
#include "factories.hpp"  // internal test hooks (codecs/)

namespace ndbucket {
namespace {

using testing::error_code_of;
using test::make_data;
using test::Pattern;

std::vector<std::shared_ptr<const Codec>> step_limited(std::size_t step) {
  return {codec_detail::make_zlib_codec_with_step({}, step),
          codec_detail::make_gzip_codec_with_step({.level = 6}, step),
          codec_detail::make_bz2_codec_with_step({}, step)};
}

TEST(StepLimits, SmallStepsRoundTripAndMatchTheNormalCodec) {
  const Bytes data = make_data(Pattern::kFloat64, 300000);
  for (std::size_t step : {std::size_t{1}, std::size_t{1000}, std::size_t{65536}}) {
    for (const auto& codec : step_limited(step)) {
      SCOPED_TRACE(std::string(codec->id()) + " step " + std::to_string(step));
      if (step == 1 && codec->id() == "bz2") continue;  // byte-at-a-time bzip2 is very slow
      const Bytes encoded = codec->encode(data);
      EXPECT_EQ(codec->decode(encoded), data);
      Bytes into(data.size());
      codec->decode_into(encoded, into);
      EXPECT_EQ(into, data);
      // Feeding in pieces does not change the format: the unlimited codec reads it too.
      auto normal = CodecRegistry::with_builtins().from_config(codec->config());
      EXPECT_EQ(normal->decode(encoded), data);
      EXPECT_EQ(codec->decode(normal->encode(data)), data);
      EXPECT_EQ(normal->encode(data), encoded);
    }
  }
}

TEST(StepLimits, CorruptionIsStillDetected) {
  const Bytes data = make_data(Pattern::kRandom, 20000);
  for (const auto& codec : step_limited(777)) {
    Bytes encoded = codec->encode(data);
    encoded[encoded.size() / 2] ^= std::byte{0x10};
    EXPECT_EQ(error_code_of([&] { codec->decode(encoded); }), ErrorCode::Corrupt) << codec->id();
    EXPECT_EQ(error_code_of([&] { codec->decode(ByteSpan(encoded).first(100)); }),
              ErrorCode::Corrupt);
  }
}

// A readable-looking span of `size` bytes that is only reserved address space: encode() must
// refuse it before touching the memory.
class ReservedSpan {
 public:
  explicit ReservedSpan(std::size_t size) : size_(size) {
    memory_ = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  ~ReservedSpan() {
    if (memory_ != MAP_FAILED) munmap(memory_, size_);
  }
  bool ok() const { return memory_ != MAP_FAILED; }
  ByteSpan span() const { return {static_cast<const std::byte*>(memory_), size_}; }

 private:
  std::size_t size_;
  void* memory_;
};

TEST(FormatLimits, Lz4RefusesInputsOver0x7E000000Bytes) {
  auto codec = make_lz4_codec();
  EXPECT_GT(codec->max_encoded_size(0x7E000000), std::size_t{0x7E000000});
  EXPECT_EQ(error_code_of([&] { codec->max_encoded_size(0x7E000001); }),
            ErrorCode::InvalidArgument);
  ReservedSpan huge(std::size_t{0x7E000001});
  ASSERT_TRUE(huge.ok());
  try {
    codec->encode(huge.span());
    FAIL() << "lz4 accepted an input over its limit";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(error.what()).find("0x7E000000"), std::string::npos) << error.what();
  }
}

TEST(FormatLimits, BloscRefusesChunksOver2GiB) {
  auto codec = make_blosc_codec();
  ReservedSpan huge(std::size_t{1} << 31);
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(error_code_of([&] { codec->encode(huge.span()); }), ErrorCode::InvalidArgument);
}

TEST(FormatLimits, OtherCodecsHaveBoundsBeyond4GiB) {
  const std::size_t five_gib = std::size_t{5} << 30;
  for (const char* id : {"zlib", "gzip", "bz2", "zstd", "lzma"}) {
    auto codec = CodecRegistry::with_builtins().create(id);
    EXPECT_GT(codec->max_encoded_size(five_gib), five_gib) << id;
  }
}

}  // namespace
}  // namespace ndbucket
