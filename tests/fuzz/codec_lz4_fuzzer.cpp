// The lz4 decoder.
#include "fuzz/fuzz_support.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::fuzz::decode_with("lz4", input); }
