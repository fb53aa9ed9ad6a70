#include "stream_codec.hpp"

#include <algorithm>

namespace ndbucket::codec_detail {

std::unique_ptr<StreamingDecoder> StreamCodec::make_streaming_decoder(
    MutableByteSpan output) const {
  return DecodeDriver::into_buffer(make_engine(), output);
}

std::unique_ptr<StreamingDecoder> StreamCodec::make_streaming_decoder(
    DecodeSink sink, const DecodeLimits& limits) const {
  return DecodeDriver::into_sink(make_engine(), std::move(sink), limits);
}

std::size_t StreamCodec::decoded_size_hint(ByteSpan input) const {
  // Float data rarely compresses better than 3:1 with these codecs; growth covers the rest.
  constexpr std::size_t kMaxGuess = std::size_t{1} << 30;
  return std::min(input.size(), kMaxGuess / 4) * 3 + (std::size_t{64} << 10);
}

Bytes StreamCodec::do_decode(ByteSpan input, const DecodeLimits& limits) const {
  Bytes output;
  auto driver = DecodeDriver::into_bytes(make_engine(), output, limits, decoded_size_hint(input));
  driver->feed(input);
  driver->finish();
  return output;
}

void StreamCodec::do_decode_into(ByteSpan input, MutableByteSpan output) const {
  auto driver = DecodeDriver::into_buffer(make_engine(), output);
  driver->feed(input);
  driver->finish();
}

}  // namespace ndbucket::codec_detail
