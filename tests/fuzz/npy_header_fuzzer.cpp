// The .npy reader: header parsing and element bytes.
#include "fuzz/fuzz_support.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::decode_npy(input, "fuzz.npy"); }
