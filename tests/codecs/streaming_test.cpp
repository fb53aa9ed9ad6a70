// StreamingDecoder: chunked feeding into buffers and sinks, limits, truncation, concatenation.
#include <gtest/gtest.h>

#include <zstd.h>

#include "codec_test_util.hpp"
#include "ndbucket/codecs/registry.hpp"

namespace ndbucket {
namespace {

using test::make_data;
using test::Pattern;
using test::registry;
using testing::error_code_of;

void feed_in_chunks(StreamingDecoder& decoder, ByteSpan input, std::size_t chunk) {
  while (!input.empty()) {
    const std::size_t n = std::min(chunk, input.size());
    decoder.feed(input.first(n));
    input = input.subspan(n);
  }
}

class Streaming : public ::testing::TestWithParam<std::string> {};

TEST_P(Streaming, IsSupported) { EXPECT_TRUE(registry().create(GetParam())->supports_streaming()); }

TEST_P(Streaming, DecodesIntoACallerBufferInAnyChunking) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kFloat64, 600000);
  const Bytes encoded = codec->encode(data);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, encoded.size()}) {
    if (chunk == 1 && GetParam() == "lzma") continue;  // byte-at-a-time xz is slow, 7 covers it
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    Bytes output(data.size());
    auto decoder = codec->make_streaming_decoder(MutableByteSpan(output));
    feed_in_chunks(*decoder, encoded, chunk);
    decoder->finish();
    EXPECT_EQ(output, data);
    EXPECT_EQ(decoder->decoded_size(), data.size());
    EXPECT_EQ(decoder->consumed_size(), encoded.size());
    decoder->finish();  // idempotent
  }
}

TEST_P(Streaming, DecodesIntoASink) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kRandom, 1 << 20);
  const Bytes encoded = codec->encode(data);
  Bytes collected;
  std::size_t calls = 0;
  auto decoder = codec->make_streaming_decoder([&](ByteSpan piece) {
    ++calls;
    EXPECT_FALSE(piece.empty());
    collected.insert(collected.end(), piece.begin(), piece.end());
  });
  feed_in_chunks(*decoder, encoded, 10000);
  decoder->finish();
  EXPECT_EQ(collected, data);
  EXPECT_GT(calls, 1u);  // output arrives in pieces, not as one buffer
}

TEST_P(Streaming, OutputArrivesBeforeTheInputEnds) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kFloat64, 4 << 20);
  const Bytes encoded = codec->encode(data);
  std::size_t delivered = 0;
  auto decoder = codec->make_streaming_decoder([&](ByteSpan piece) { delivered += piece.size(); });
  decoder->feed(ByteSpan(encoded).first(encoded.size() * 3 / 4));
  EXPECT_GT(delivered, 0u);
  decoder->feed(ByteSpan(encoded).subspan(encoded.size() * 3 / 4));
  decoder->finish();
  EXPECT_EQ(delivered, data.size());
}

TEST_P(Streaming, TruncatedInputFailsAtFinish) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kFloat64, 100000);
  const Bytes encoded = codec->encode(data);
  for (std::size_t keep :
       {std::size_t{0}, std::size_t{1}, encoded.size() / 2, encoded.size() - 1}) {
    SCOPED_TRACE("keep " + std::to_string(keep));
    Bytes output(data.size());
    auto decoder = codec->make_streaming_decoder(MutableByteSpan(output));
    auto code = error_code_of([&] {
      decoder->feed(ByteSpan(encoded).first(keep));
      decoder->finish();
    });
    EXPECT_EQ(code, ErrorCode::Corrupt);
    // A failed decoder stays failed.
    EXPECT_EQ(error_code_of([&] { decoder->finish(); }), ErrorCode::Corrupt);
  }
}

TEST_P(Streaming, OverflowingTheCallerBufferFailsDuringFeed) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kZeros, 1 << 20);
  const Bytes encoded = codec->encode(data);
  Bytes output(1000, std::byte{0x11});
  auto decoder = codec->make_streaming_decoder(MutableByteSpan(output));
  EXPECT_EQ(error_code_of([&] { decoder->feed(encoded); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { decoder->feed(encoded); }), ErrorCode::Corrupt);
}

TEST_P(Streaming, ShortOutputFailsAtFinish) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kRandom, 5000);
  const Bytes encoded = codec->encode(data);
  Bytes output(data.size() + 10);
  auto decoder = codec->make_streaming_decoder(MutableByteSpan(output));
  decoder->feed(encoded);
  EXPECT_EQ(error_code_of([&] { decoder->finish(); }), ErrorCode::Corrupt);
}

TEST_P(Streaming, SinkLimitStopsABomb) {
  auto codec = registry().create(GetParam());
  const Bytes data = make_data(Pattern::kZeros, 8 << 20);
  const Bytes encoded = codec->encode(data);
  std::size_t delivered = 0;
  auto decoder = codec->make_streaming_decoder([&](ByteSpan piece) { delivered += piece.size(); },
                                               {.max_decoded_size = 1 << 20});
  EXPECT_EQ(error_code_of([&] {
              feed_in_chunks(*decoder, encoded, 4096);
              decoder->finish();
            }),
            ErrorCode::Corrupt);
  EXPECT_LE(delivered, std::size_t{1} << 20);
}

TEST_P(Streaming, TrailingGarbageIsCorrupt) {
  auto codec = registry().create(GetParam());
  Bytes encoded = codec->encode(make_data(Pattern::kRandom, 3000));
  const Bytes garbage = to_bytes("this is not compressed data at all, sorry");
  encoded.insert(encoded.end(), garbage.begin(), garbage.end());
  Bytes output(3000);
  auto decoder = codec->make_streaming_decoder(MutableByteSpan(output));
  EXPECT_EQ(error_code_of([&] {
              decoder->feed(encoded);
              decoder->finish();
            }),
            ErrorCode::Corrupt);
}

TEST_P(Streaming, SinkExceptionsPropagate) {
  auto codec = registry().create(GetParam());
  const Bytes encoded = codec->encode(make_data(Pattern::kRandom, 300000));
  auto decoder =
      codec->make_streaming_decoder([](ByteSpan) { throw Error(ErrorCode::Io, "disk full"); });
  EXPECT_EQ(error_code_of([&] { decoder->feed(encoded); }), ErrorCode::Io);
  EXPECT_EQ(error_code_of([&] { decoder->feed(encoded); }), ErrorCode::Corrupt);
}

TEST_P(Streaming, DecoderMayOutliveItsCodec) {
  const Bytes data = make_data(Pattern::kFloat64, 100000);
  Bytes output(data.size());
  std::unique_ptr<StreamingDecoder> decoder;
  Bytes encoded;
  {
    auto codec = registry().create(GetParam());
    encoded = codec->encode(data);
    decoder = codec->make_streaming_decoder(MutableByteSpan(output));
  }
  decoder->feed(encoded);
  decoder->finish();
  EXPECT_EQ(output, data);
}

INSTANTIATE_TEST_SUITE_P(Codecs, Streaming, ::testing::ValuesIn(test::streaming_ids()));

TEST(StreamingConcatenation, GzipMembersDecodeAsOne) {
  auto codec = make_gzip_codec();
  const Bytes a = make_data(Pattern::kRandom, 5000, 1);
  const Bytes b = make_data(Pattern::kFloat64, 7000, 2);
  Bytes encoded = codec->encode(a);
  const Bytes second = make_gzip_codec({.level = 9})->encode(b);
  encoded.insert(encoded.end(), second.begin(), second.end());
  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(codec->decode(encoded), expected);
  Bytes output(expected.size());
  auto decoder = codec->make_streaming_decoder(MutableByteSpan(output));
  feed_in_chunks(*decoder, encoded, 333);
  decoder->finish();
  EXPECT_EQ(output, expected);
}

TEST(StreamingConcatenation, ZlibAcceptsExactlyOneStream) {
  auto codec = make_zlib_codec();
  Bytes encoded = codec->encode(make_data(Pattern::kRandom, 100));
  const Bytes copy = encoded;
  encoded.insert(encoded.end(), copy.begin(), copy.end());
  EXPECT_EQ(error_code_of([&] { codec->decode(encoded); }), ErrorCode::Corrupt);
}

TEST(StreamingConcatenation, ZstdFramesDecodeAsOne) {
  auto codec = make_zstd_codec();
  const Bytes a = make_data(Pattern::kRandom, 5000, 1);
  const Bytes b = make_data(Pattern::kZeros, 7000, 2);
  Bytes encoded = codec->encode(a);
  const Bytes second = codec->encode(b);
  encoded.insert(encoded.end(), second.begin(), second.end());
  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(codec->decode(encoded), expected);
  Bytes into(expected.size());
  codec->decode_into(encoded, into);
  EXPECT_EQ(into, expected);
}

TEST(StreamingConcatenation, Bz2AndXzStreamsDecodeAsOne) {
  for (auto codec : {make_bz2_codec(), make_lzma_codec()}) {
    const Bytes a = make_data(Pattern::kRandom, 500, 1);
    const Bytes b = make_data(Pattern::kFloat64, 800, 2);
    Bytes encoded = codec->encode(a);
    const Bytes second = codec->encode(b);
    encoded.insert(encoded.end(), second.begin(), second.end());
    Bytes expected = a;
    expected.insert(expected.end(), b.begin(), b.end());
    EXPECT_EQ(codec->decode(encoded), expected) << codec->id();
  }
}

// A frame written without the content size (as zstd's streaming API and CLI write to pipes) must
// still decode, through the streaming path.
Bytes zstd_frame_without_content_size(ByteSpan data) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  Bytes out(ZSTD_compressBound(data.size()));
  const std::size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  EXPECT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  return out;
}

TEST(ZstdWithoutContentSize, DecodesAndChecksSizes) {
  auto codec = make_zstd_codec();
  const Bytes data = make_data(Pattern::kFloat64, 500000);
  const Bytes frame = zstd_frame_without_content_size(data);
  EXPECT_EQ(codec->decode(frame), data);
  Bytes into(data.size());
  codec->decode_into(frame, into);
  EXPECT_EQ(into, data);
  Bytes smaller(data.size() - 1);
  EXPECT_EQ(error_code_of([&] { codec->decode_into(frame, smaller); }), ErrorCode::Corrupt);
  Bytes larger(data.size() + 1);
  EXPECT_EQ(error_code_of([&] { codec->decode_into(frame, larger); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { codec->decode(frame, {.max_decoded_size = 1000}); }),
            ErrorCode::Corrupt);
  Bytes truncated(frame.begin(), frame.end() - 3);
  EXPECT_EQ(error_code_of([&] { codec->decode(truncated); }), ErrorCode::Corrupt);
}

TEST(NonStreaming, Lz4AndBloscSayUnsupported) {
  for (const char* id : {"lz4", "blosc"}) {
    auto codec = registry().create(id);
    EXPECT_FALSE(codec->supports_streaming());
    Bytes output(10);
    EXPECT_EQ(error_code_of([&] { codec->make_streaming_decoder(MutableByteSpan(output)); }),
              ErrorCode::Unsupported);
    EXPECT_EQ(error_code_of([&] { codec->make_streaming_decoder([](ByteSpan) {}); }),
              ErrorCode::Unsupported);
  }
}

}  // namespace
}  // namespace ndbucket
