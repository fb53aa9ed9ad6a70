// The metadata.json of cottoncandy's dask layout.
#include "fuzz/fuzz_support.hpp"
#include "ndbucket/array/dask_layout.hpp"

NDBUCKET_FUZZ_TARGET(input) {
  ndbucket::parse_dask_metadata(ndbucket::fuzz::as_text(input), "fuzz/metadata.json");
}
