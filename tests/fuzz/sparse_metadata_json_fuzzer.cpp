// The metadata.json of a cottoncandy sparse matrix.
#include "fuzz/fuzz_support.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::fuzz::load_sparse_with_metadata(input); }
