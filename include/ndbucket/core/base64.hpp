// Base64 (RFC 4648, standard alphabet, with padding, no line breaks): how S3 carries non-ASCII
// metadata and Content-MD5, Zarr carries fill values of byte-string dtypes, and EncryptedStore
// carries its envelope and keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket {

// Thread safety: pure.
std::string base64_encode(ByteSpan bytes);

// Strict decoding: nullopt for characters outside the alphabet (whitespace included), a length
// that is not a multiple of 4, misplaced padding, or non-zero bits under the padding (only the
// canonical encoding of a value is accepted). Thread safety: pure.
std::optional<Bytes> base64_decode(std::string_view text);

}  // namespace ndbucket
