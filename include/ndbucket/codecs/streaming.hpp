// Incremental decoding: decompress an object while its compressed bytes arrive.
//
// A download hands each received chunk to StreamingDecoder::feed(); decoded bytes go straight into
// the caller's buffer or to a sink, so neither the whole compressed body nor a second copy of the
// output is ever held. Streaming codecs (zlib, gzip, zstd, bz2, lzma) make decoders through
// Codec::make_streaming_decoder(); see codec.hpp.
#pragma once

#include <cstdint>
#include <functional>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket {

// Receives decoded bytes in order. The span is only valid during the call. An exception thrown by
// the sink propagates out of feed()/finish() and leaves the decoder failed.
using DecodeSink = std::function<void(ByteSpan decoded)>;

// One compressed stream being decoded. Made by Codec::make_streaming_decoder().
//
// Concatenated streams (gzip members, zstd frames, bz2 and xz streams) decode as one output, as
// numcodecs and Python's standard library read them; zlib accepts exactly one stream.
//
// Errors: every method throws Error(Corrupt) when the input is not a valid stream, when the output
// would exceed the caller's buffer or the DecodeLimits given at creation, or (finish) when the
// input ended early. After any exception the decoder is failed and every later call throws
// Corrupt again. A decoder must not outlive the sink or buffer it writes to; it may outlive the
// Codec that made it.
//
// Thread safety: a decoder is used by one thread at a time; different decoders are independent.
class StreamingDecoder {
 public:
  virtual ~StreamingDecoder() = default;

  // Decodes everything `chunk` allows and writes the output to the buffer or sink. May keep a
  // few bytes of internal state between calls; an empty chunk is a no-op.
  virtual void feed(ByteSpan chunk) = 0;

  // Declares the end of the input and flushes the remaining output. Throws Corrupt when the
  // stream is truncated (including when nothing was fed) or, for a decoder writing into a caller
  // buffer, when fewer bytes than the buffer's size were decoded. Calling it twice is a no-op.
  virtual void finish() = 0;

  // Decoded bytes delivered so far.
  virtual std::uint64_t decoded_size() const noexcept = 0;

  // Compressed bytes consumed so far.
  virtual std::uint64_t consumed_size() const noexcept = 0;
};

}  // namespace ndbucket
