// ListObjectsV2 answers, through S3Store::list.
#include "fuzz/fuzz_support.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::fuzz::store_answering(input).list("", {.page_size = 3}); }
