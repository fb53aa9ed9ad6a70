// The S3 servers started for the tests (tests/servers/s3_servers.sh, run by a ctest fixture),
// and stores on fresh buckets in them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ndbucket/store/s3_store.hpp"

namespace ndbucket::testing {

struct TestServer {
  std::string name;  // "rgw", "moto"
  std::string endpoint;
  std::string access_key;
  std::string secret_key;
};

// The server called `name`. Fails the test (throws) when the servers file is missing: a test
// that needs a server never skips silently. The file is $NDBUCKET_S3_SERVERS or
// <build>/s3-servers/servers.txt.
TestServer test_server(const std::string& name);

// A config for `server` and `bucket`: path-style, us-east-1, fast retries.
S3Config test_config(const TestServer& server, const std::string& bucket);

// A new bucket name, unique per process and call ("ndb-<label>-<pid>-<n>").
std::string fresh_bucket_name(const std::string& label);

// An S3Store on a newly created bucket; deleting the store empties and removes the bucket.
std::shared_ptr<S3Store> make_bucket_store(const TestServer& server, const std::string& label,
                                           std::shared_ptr<s3::HttpTransport> transport = nullptr);

}  // namespace ndbucket::testing
