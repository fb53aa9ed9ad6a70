// The Codec interface: byte-for-byte numcodecs-compatible compressors.
//
// A Codec turns a byte span into the exact byte format numcodecs writes for the same codec id and
// configuration (zlib, gzip, bz2, zstd, lz4, lzma, blosc) and back. Codecs are made by a
// CodecRegistry (registry.hpp) from a Zarr-style JSON config, or directly by the make_*_codec
// functions in builtin.hpp. They never touch the network or the filesystem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "ndbucket/codecs/streaming.hpp"
#include "ndbucket/core/bytes.hpp"

namespace ndbucket {

// What an encoder may know about the data besides its bytes.
struct EncodeHints {
  // Bytes per element (the dtype's itemsize). Only blosc uses it: its shuffle filter transposes
  // bytes by element, and numcodecs passes the array's itemsize. 1 for plain bytes.
  std::size_t element_size = 1;
};

// Bounds that protect a decoder against decompression bombs.
struct DecodeLimits {
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();
  // The largest decoded size accepted. A stream that decodes (or declares) more is Corrupt; the
  // output is never allocated beyond this. Pass the expected size when it is known.
  std::uint64_t max_decoded_size = kUnlimited;
};

// A configured compressor. Immutable after construction.
//
// Thread safety: every method is const and safe to call from many threads at once; compression
// contexts are pooled inside the codec and never shared between concurrent calls.
//
// Errors: InvalidArgument for an unusable argument (input too large for the format, an output
// buffer smaller than max_encoded_size()); Corrupt for any input that does not decode to exactly
// the expected bytes (truncated, corrupted, trailing garbage, wrong declared size, more output
// than the limit or the caller's buffer); Unsupported for an operation this codec lacks.
// Decoding never reads or writes out of bounds, whatever the input.
class Codec {
 public:
  virtual ~Codec() = default;
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  // The numcodecs codec id, lower-case: "zlib", "gzip", "bz2", "zstd", "lz4", "lzma", "blosc".
  virtual std::string_view id() const noexcept = 0;

  // The configuration as Zarr and numcodecs write it, e.g. {"id": "zstd", "level": 1}. It holds
  // only keys numcodecs' codec constructor accepts, so zarr-python can read it; runtime tuning
  // (threads) is not part of it. CodecRegistry::from_config(config()) rebuilds an equal codec.
  virtual nlohmann::json config() const = 0;

  // An upper bound on encode()'s output for `input_size` bytes. Throws InvalidArgument when the
  // format cannot hold that many bytes (lz4 above 0x7E000000, blosc above 2^31 - 17).
  virtual std::size_t max_encoded_size(std::size_t input_size) const = 0;

  // Compresses `input` into a new buffer in numcodecs' byte format.
  // Throws InvalidArgument when `input` is too large for the format.
  Bytes encode(ByteSpan input, const EncodeHints& hints = {}) const;

  // Compresses into the caller's buffer and returns the number of bytes written. `output` must
  // hold max_encoded_size(input.size()) bytes, else InvalidArgument (nothing useful is written).
  std::size_t encode_into(ByteSpan input, MutableByteSpan output,
                          const EncodeHints& hints = {}) const;

  // Decompresses `input` (one complete encoded object) into a new buffer.
  // Throws Corrupt for bad input or when the output would exceed `limits`.
  Bytes decode(ByteSpan input, const DecodeLimits& limits = {}) const;

  // Decompresses into the caller's buffer, whose size is the exact decoded size expected (from
  // array metadata, say). Throws Corrupt when the input decodes to more or fewer bytes; `output`
  // is then partly written. Never writes outside `output`.
  void decode_into(ByteSpan input, MutableByteSpan output) const;

  // Whether make_streaming_decoder() works (gzip, zlib, zstd, bz2, lzma; not lz4 or blosc, whose
  // formats need the whole input at once).
  virtual bool supports_streaming() const noexcept { return false; }

  // A decoder that writes into `output`, the exact decoded size expected; finish() checks that it
  // was filled. The buffer must outlive the decoder. Throws Unsupported if !supports_streaming().
  virtual std::unique_ptr<StreamingDecoder> make_streaming_decoder(MutableByteSpan output) const;

  // A decoder that hands decoded bytes to `sink` in pieces of at most a few hundred KiB.
  // Throws Unsupported if !supports_streaming().
  virtual std::unique_ptr<StreamingDecoder> make_streaming_decoder(
      DecodeSink sink, const DecodeLimits& limits = {}) const;

 protected:
  Codec() = default;

  // Implementations: `output` is at least max_encoded_size(input.size()) bytes.
  virtual std::size_t do_encode(ByteSpan input, MutableByteSpan output,
                                const EncodeHints& hints) const = 0;
  virtual Bytes do_decode(ByteSpan input, const DecodeLimits& limits) const = 0;
  virtual void do_decode_into(ByteSpan input, MutableByteSpan output) const = 0;
};

}  // namespace ndbucket
