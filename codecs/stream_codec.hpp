// Base of the codecs whose libraries decode incrementally (internal): zlib, gzip, zstd, bz2, lzma.
#pragma once

#include <memory>

#include "decode_driver.hpp"
#include "ndbucket/codecs/codec.hpp"

namespace ndbucket::codec_detail {

class StreamCodec : public Codec {
 public:
  bool supports_streaming() const noexcept override { return true; }
  std::unique_ptr<StreamingDecoder> make_streaming_decoder(MutableByteSpan output) const override;
  std::unique_ptr<StreamingDecoder> make_streaming_decoder(
      DecodeSink sink, const DecodeLimits& limits) const override;

 protected:
  // A fresh engine positioned at the start of a stream.
  virtual std::unique_ptr<DecodeEngine> make_engine() const = 0;
  // The first allocation for decode(): the decoded size if the format tells it, else a guess.
  virtual std::size_t decoded_size_hint(ByteSpan input) const;

  Bytes do_decode(ByteSpan input, const DecodeLimits& limits) const override;
  void do_decode_into(ByteSpan input, MutableByteSpan output) const override;
};

}  // namespace ndbucket::codec_detail
