// Zarr's consolidated metadata (`.zmetadata`), every `.zarray` in it validated.
#include "fuzz/fuzz_support.hpp"
#include "ndbucket/array/zarr_metadata.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::parse_zmetadata(ndbucket::fuzz::as_text(input), "fuzz"); }
