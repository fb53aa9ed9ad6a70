// An encrypted object as EncryptedStore reads it: the input is a 2-byte envelope length, the
// envelope and the body, decoded under a fixed data key (wrong for almost every input, which must
// end in Corrupt, never in plaintext or a crash).
#include "fuzz/fuzz_support.hpp"
#include "ndbucket/store/encryption_format.hpp"

NDBUCKET_FUZZ_TARGET(input) {
  static const std::byte kDataKey[32] = {};
  std::size_t length =
      input.size() < 2
          ? 0
          : (std::to_integer<std::size_t>(input[0]) << 8 | std::to_integer<std::size_t>(input[1]));
  ndbucket::ByteSpan rest = input.subspan(std::min<std::size_t>(2, input.size()));
  length = std::min(length, rest.size());
  ndbucket::encryption::decode_body(kDataKey,
                                    ndbucket::encryption::parse_envelope(rest.first(length)),
                                    "fuzz/key", rest.subspan(length));
}
