// S3 <Error> documents.
#include "fuzz/fuzz_support.hpp"
#include "store/s3/s3_errors.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::s3::parse_s3_error(input); }
