// The interop cases through Ceph RGW: ndbucket's S3Store writes cottoncandy's layout and boto3
// (Debian's, through NDBUCKET_PYTHON) reads bodies and x-amz-meta-* metadata back, decoding them
// with numpy, numcodecs and scipy; boto3 puts objects exactly as cottoncandy's upload_raw_array
// and upload_sparse_array do, and ndbucket reads them from the bucket.
#include <gtest/gtest.h>

#include "array/interop_cases.hpp"
#include "ndbucket/store/prefix_store.hpp"
#include "s3/test_servers.hpp"
#include "support/test_util.hpp"

namespace ndbucket::interop {
namespace {

TEST(InteropS3, CottoncandyLayoutThroughRgwAndBoto3) {
  testing::TestServer server = testing::test_server("rgw");
  std::shared_ptr<S3Store> bucket = testing::make_bucket_store(server, "array-interop");
  fs::path dir = testing::fresh_test_dir("array-interop-s3");
  ASSERT_GT(write_cpp_cases(dir, std::make_shared<PrefixStore>(bucket, "cpp")).size(), 500u);
  write_npy_cases(dir);
  write_sparse_cases(dir, std::make_shared<PrefixStore>(bucket, "sparse_cpp"));
  run_python(dir, "NDBUCKET_INTEROP_S3='" + server.endpoint + " " + server.access_key + " " +
                      server.secret_key + " " + bucket->config().bucket + "'");
  if (HasFatalFailure()) return;
  check_python_cases(dir, *bucket, /*put_first=*/false);
}

}  // namespace
}  // namespace ndbucket::interop
