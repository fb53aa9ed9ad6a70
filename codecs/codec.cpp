#include "ndbucket/codecs/codec.hpp"

#include <algorithm>
#include <string>

#include "ndbucket/core/error.hpp"

namespace ndbucket {

namespace {

void check_hints(const Codec& codec, const EncodeHints& hints) {
  if (hints.element_size == 0) {
    throw Error(ErrorCode::InvalidArgument,
                std::string(codec.id()) + ": EncodeHints::element_size must be at least 1");
  }
}

}  // namespace

Bytes Codec::encode(ByteSpan input, const EncodeHints& hints) const {
  check_hints(*this, hints);
  Bytes output(max_encoded_size(input.size()));
  output.resize(do_encode(input, output, hints));
  // Compressible data leaves most of the bound unused; hand it back unless the copy outweighs it.
  if (output.capacity() - output.size() > std::max<std::size_t>(output.size() / 4, 4096)) {
    output.shrink_to_fit();
  }
  return output;
}

std::size_t Codec::encode_into(ByteSpan input, MutableByteSpan output,
                               const EncodeHints& hints) const {
  check_hints(*this, hints);
  const std::size_t bound = max_encoded_size(input.size());
  if (output.size() < bound) {
    throw Error(ErrorCode::InvalidArgument,
                std::string(id()) + ": encode_into needs an output buffer of at least " +
                    std::to_string(bound) + " bytes for " + std::to_string(input.size()) +
                    " input bytes, got " + std::to_string(output.size()));
  }
  return do_encode(input, output, hints);
}

Bytes Codec::decode(ByteSpan input, const DecodeLimits& limits) const {
  return do_decode(input, limits);
}

void Codec::decode_into(ByteSpan input, MutableByteSpan output) const {
  do_decode_into(input, output);
}

std::unique_ptr<StreamingDecoder> Codec::make_streaming_decoder(MutableByteSpan /*output*/) const {
  throw Error(ErrorCode::Unsupported,
              std::string(id()) + ": the format cannot be decoded incrementally");
}

std::unique_ptr<StreamingDecoder> Codec::make_streaming_decoder(
    DecodeSink /*sink*/, const DecodeLimits& /*limits*/) const {
  throw Error(ErrorCode::Unsupported,
              std::string(id()) + ": the format cannot be decoded incrementally");
}

}  // namespace ndbucket
