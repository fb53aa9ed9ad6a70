// A Zarr v2 `.zattrs` document.
#include "fuzz/fuzz_support.hpp"
#include "ndbucket/array/zarr_metadata.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::parse_zattrs(ndbucket::fuzz::as_text(input), "fuzz"); }
