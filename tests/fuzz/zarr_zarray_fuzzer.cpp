// A Zarr v2 `.zarray` document.
#include "fuzz/fuzz_support.hpp"
#include "ndbucket/array/zarr_metadata.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::parse_zarray(input, "fuzz/.zarray"); }
