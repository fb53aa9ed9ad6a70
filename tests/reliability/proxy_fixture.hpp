// S3Stores on fresh RGW buckets reached through a FaultProxy.
#pragma once

#include <memory>
#include <string>

#include "ndbucket/store/s3_store.hpp"
#include "reliability/fault_proxy.hpp"
#include "s3/test_servers.hpp"

namespace ndbucket::testing {

// The port of an "http://127.0.0.1:PORT" endpoint.
inline int endpoint_port(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

// A proxy in front of the test RGW.
inline std::unique_ptr<FaultProxy> make_rgw_proxy(FaultProxyOptions options = {}) {
  options.upstream_port = endpoint_port(test_server("rgw").endpoint);
  return std::make_unique<FaultProxy>(options);
}

// A config that reaches RGW through `proxy`, on bucket `bucket`, with quick retries (tests adjust
// config.retry). Stall detection keeps its default: a shorter one makes a slow but healthy server
// look stalled, and a retried InitiateMultipartUpload then leaves the first upload behind.
inline S3Config proxied_config(const FaultProxy& proxy, const std::string& bucket) {
  TestServer rgw = test_server("rgw");
  rgw.endpoint = proxy.endpoint();
  S3Config config = test_config(rgw, bucket);
  config.retry.base_delay = std::chrono::milliseconds(5);
  config.retry.max_delay = std::chrono::milliseconds(50);
  config.retry.max_attempts = 10;
  return config;
}

// An S3Store on a new bucket (created directly on RGW), emptied and removed with the store. The
// bucket is made and cleaned without faults. `config` (its bucket is replaced) defaults to
// proxied_config(proxy).
inline std::shared_ptr<S3Store> make_proxied_store(const FaultProxy& proxy,
                                                   const std::string& label, S3Config config = {}) {
  if (config.endpoint.empty()) config = proxied_config(proxy, "");
  auto direct = make_bucket_store(test_server("rgw"), label);
  config.bucket = direct->config().bucket;
  auto store = std::make_shared<S3Store>(config);
  // The deleter of `direct` empties and removes the bucket once the returned store is gone.
  return std::shared_ptr<S3Store>(store.get(), [store, direct](S3Store*) mutable {
    store.reset();
    direct.reset();
  });
}

}  // namespace ndbucket::testing
