// ListMultipartUploads answers, through S3Store::list_multipart_uploads.
#include "fuzz/fuzz_support.hpp"

NDBUCKET_FUZZ_TARGET(input) { ndbucket::fuzz::store_answering(input).list_multipart_uploads(); }
