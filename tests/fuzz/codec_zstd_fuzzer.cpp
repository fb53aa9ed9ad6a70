// The zstd decoder.
#include "fuzz/fuzz_support.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::fuzz::decode_with("zstd", input); }
