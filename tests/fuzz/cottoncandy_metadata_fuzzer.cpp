// cottoncandy raw-array metadata (dtype, shape, compression, order), as name=value lines.
#include "fuzz/fuzz_support.hpp"

NDBUCKET_FUZZ_TARGET(input) {
  ndbucket::parse_array_metadata(ndbucket::fuzz::metadata_from(input), "fuzz");
}
