#include "block_codec.hpp"

#include <string>

#include "decode_driver.hpp"

namespace ndbucket::codec_detail {

Bytes BlockCodec::do_decode(ByteSpan input, const DecodeLimits& limits) const {
  const std::size_t size = declared_size(input);
  // Checked before allocating: a forged header must not make us reserve its claim.
  if (size > limits.max_decoded_size) {
    throw_corrupt(id(), "declares " + std::to_string(size) + " bytes, more than the limit of " +
                            std::to_string(limits.max_decoded_size));
  }
  Bytes output(size);
  decompress(input, output);
  return output;
}

void BlockCodec::do_decode_into(ByteSpan input, MutableByteSpan output) const {
  const std::size_t size = declared_size(input);
  if (size != output.size()) {
    throw_corrupt(id(), "declares " + std::to_string(size) + " bytes, expected " +
                            std::to_string(output.size()));
  }
  decompress(input, output);
}

}  // namespace ndbucket::codec_detail
