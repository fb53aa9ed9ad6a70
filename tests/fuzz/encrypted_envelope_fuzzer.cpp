// The envelope EncryptedStore keeps in an object's metadata (magic, version, wrapped key ...).
#include "fuzz/fuzz_support.hpp"
#include "ndbucket/store/encryption_format.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::encryption::parse_envelope(input); }
