// AES Key Wrap (RFC 3394, NIST SP 800-38F "KW") with a 256-bit key-encryption key: how a master
// key protects each object's data key.
#pragma once

#include <optional>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/crypto/secret_bytes.hpp"

namespace ndbucket::crypto {

// Wraps `key_data` (a multiple of 8 bytes, at least 16) under the 32-byte `kek`; the result is
// 8 bytes longer. Errors: InvalidArgument for bad sizes. Thread safety: pure.
Bytes aes_key_wrap(ByteSpan kek, ByteSpan key_data);

// Unwraps; nullopt when the integrity check fails (wrong kek or altered bytes) or the input has
// an impossible size. Errors: InvalidArgument for a kek that is not 32 bytes. Thread safety: pure.
std::optional<SecretBytes> aes_key_unwrap(ByteSpan kek, ByteSpan wrapped);

}  // namespace ndbucket::crypto
