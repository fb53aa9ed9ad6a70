// The XML reader under every S3 response.
#include "fuzz/fuzz_support.hpp"
#include "store/s3/xml.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::s3::parse_xml(ndbucket::fuzz::as_text(input), "fuzz"); }
