// The S3 server the transfer suites run on: Ceph RGW (the server of record), a fresh bucket per
// test.
#include "s3/test_servers.hpp"
#include "transfer/transfer_test_support.hpp"

namespace ndbucket::testing {

std::vector<Backend> transfer_backends() {
  return {{"rgw", [] { return make_bucket_store(test_server("rgw"), "transfer"); }}};
}

}  // namespace ndbucket::testing
