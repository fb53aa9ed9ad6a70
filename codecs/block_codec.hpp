// Base of the codecs whose data is one block behind a header that declares its decoded size
// (internal): lz4 and blosc. Their libraries decode a whole block at once, so decode() and
// decode_into() differ only in where the output goes; both are written here once.
#pragma once

#include "ndbucket/codecs/codec.hpp"

namespace ndbucket::codec_detail {

class BlockCodec : public Codec {
 protected:
  // The decoded size the header declares. Throws Corrupt for a malformed or impossible header.
  virtual std::size_t declared_size(ByteSpan input) const = 0;
  // Decodes the block into `output`, exactly declared_size(input) bytes. Throws Corrupt.
  virtual void decompress(ByteSpan input, MutableByteSpan output) const = 0;

  Bytes do_decode(ByteSpan input, const DecodeLimits& limits) const final;
  void do_decode_into(ByteSpan input, MutableByteSpan output) const final;
};

}  // namespace ndbucket::codec_detail
