// ndbucket_fault_proxy UPSTREAM_PORT [PROBABILITY [SECONDS [LISTEN_PORT]]]
// Runs a FaultProxy in front of the S3 server on 127.0.0.1:UPSTREAM_PORT, printing its endpoint,
// and stops after SECONDS (default 60) with a count of requests and faults.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "reliability/fault_proxy.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 5) {
    std::fprintf(stderr, "usage: %s UPSTREAM_PORT [PROBABILITY [SECONDS [LISTEN_PORT]]]\n",
                 argv[0]);
    return 2;
  }
  ndbucket::testing::FaultProxyOptions options;
  options.upstream_port = std::atoi(argv[1]);
  options.fault_probability = argc > 2 ? std::atof(argv[2]) : 0.1;
  options.max_lifetime = std::chrono::seconds(argc > 3 ? std::atoi(argv[3]) : 60);
  options.listen_port = argc > 4 ? std::atoi(argv[4]) : 0;
  options.seed =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  ndbucket::testing::FaultProxy proxy(options);
  std::printf("%s\n", proxy.endpoint().c_str());
  std::fflush(stdout);
  std::this_thread::sleep_for(options.max_lifetime);
  std::printf("%llu requests, %llu faults\n", static_cast<unsigned long long>(proxy.requests()),
              static_cast<unsigned long long>(proxy.faults()));
  return 0;
}
