#include "s3/test_servers.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ndbucket/core/error.hpp"

namespace ndbucket::testing {

TestServer test_server(const std::string& name) {
  const char* configured = std::getenv("NDBUCKET_S3_SERVERS");
  std::string path =
      configured ? configured : std::string(NDBUCKET_BINARY_DIR) + "/s3-servers/servers.txt";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("no S3 test servers: " + path +
                             " is missing; run the tests through ctest (its fixture starts them) "
                             "or tests/servers/s3_servers.sh start <dir>");
  }
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    TestServer server;
    fields >> server.name >> server.endpoint >> server.access_key >> server.secret_key;
    if (server.name == name) return server;
  }
  throw std::runtime_error("S3 test server '" + name + "' is not listed in " + path);
}

S3Config test_config(const TestServer& server, const std::string& bucket) {
  S3Config config;
  config.bucket = bucket;
  config.endpoint = server.endpoint;
  config.region = "us-east-1";
  config.addressing = S3Addressing::Path;
  config.access_key_id = server.access_key;
  config.secret_access_key = server.secret_key;
  config.retry.base_delay = std::chrono::milliseconds(20);
  config.retry.max_total = std::chrono::milliseconds(30'000);
  return config;
}

std::string fresh_bucket_name(const std::string& label) {
  static std::atomic<int> counter{0};
  return "ndb-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

std::shared_ptr<S3Store> make_bucket_store(const TestServer& server, const std::string& label,
                                           std::shared_ptr<s3::HttpTransport> transport) {
  auto store = std::shared_ptr<S3Store>(
      new S3Store(test_config(server, fresh_bucket_name(label)), std::move(transport)),
      [](S3Store* doomed) {
        try {
          std::vector<std::string> keys;
          for (const ObjectInfo& info : doomed->list("").objects) keys.push_back(info.key);
          doomed->remove_many(keys);
          for (const auto& upload : doomed->list_multipart_uploads()) {
            doomed->abort_multipart_upload(upload.key, upload.upload_id);
          }
          doomed->remove_bucket();
        } catch (const std::exception&) {
          // A bucket left behind only costs server memory; the test outcome stands.
        }
        delete doomed;
      });
  store->create_bucket();
  return store;
}

}  // namespace ndbucket::testing
