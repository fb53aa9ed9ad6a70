// FaultProxy: an HTTP/1.1 proxy for tests that sits between S3Store and a real S3 server and
// injects faults, by script (FaultRule) or at random with a given probability.
//
// The client is pointed at the proxy (S3Config::endpoint = proxy.endpoint()) and so signs its
// requests for the proxy's host:port. The proxy forwards every request byte for byte, Host header
// included, which is what the server checks the SigV4 signature against. Responses are re-framed
// (a chunked body is sent with a Content-Length) before faults are applied to them.
//
// Safety bounds: listens on 127.0.0.1 only, connects only to a 127.0.0.1 upstream, serves at most
// `max_requests` requests and stops by itself after `max_lifetime`.
//
// Thread safety: all methods may be called from any thread while the proxy runs.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ndbucket::testing {

enum class Fault {
  None,
  // Answered by the proxy without forwarding the request.
  InternalError500,     // 500 InternalError
  SlowDown503,          // 503 SlowDown
  TooManyRequests429,   // 429 TooManyRequests
  ResetBeforeResponse,  // the connection is reset (RST) instead of an answer
  // Applied to the server's answer (only to GET responses with a body when chosen at random).
  ResetMidBody,  // headers and half the body, then a reset
  Stall,         // headers and half the body, a pause of `stall`, then the rest
  TruncateBody,  // headers (true Content-Length) and half the body, then the connection closes
  ShortBody,     // half the body with a Content-Length rewritten to match it
  FlipByte,      // one bit of one body byte inverted
  // Applied to the request (scripted only): one bit of the request body inverted on its way.
  FlipRequestByte,
};
inline constexpr std::size_t kFaultKinds = 11;

// "500", "SlowDown", "reset-mid-body" ...: for messages.
const char* fault_name(Fault fault);

// A scripted fault: the next `times` requests that match get `fault` (times < 0: all of them).
struct FaultRule {
  std::string method;           // "GET", "PUT" ...; empty: any
  std::string target_contains;  // a substring of the request target ("/bucket/key?uploadId=...")
  Fault fault = Fault::None;
  int times = -1;
};

struct FaultProxyOptions {
  int upstream_port = 0;  // the server on 127.0.0.1
  int listen_port = 0;    // 0: any free port
  // Probability that a request without a matching rule gets a random fault from `random_faults`.
  // Random faults are only those the client can detect: body faults go to GET responses, and
  // ShortBody / FlipByte only where an integrity check applies (a single-part ETag on a whole
  // object, or a Content-Range); otherwise the proxy falls back to another fault.
  double fault_probability = 0.0;
  std::vector<Fault> random_faults = {
      Fault::InternalError500,    Fault::SlowDown503,  Fault::TooManyRequests429,
      Fault::ResetBeforeResponse, Fault::ResetMidBody, Fault::Stall,
      Fault::TruncateBody,        Fault::ShortBody,    Fault::FlipByte};
  std::uint64_t seed = 1;
  std::chrono::milliseconds stall{200};
  std::uint64_t max_requests = 20'000;
  std::chrono::seconds max_lifetime{300};
  std::chrono::seconds io_timeout{60};  // a silent client or server connection is dropped
};

class FaultProxy {
 public:
  // Starts listening and serving on background threads. Throws std::runtime_error when the
  // socket cannot be opened.
  explicit FaultProxy(FaultProxyOptions options);
  // Stops: closes every connection and joins every thread.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const;
  std::string endpoint() const;  // "http://127.0.0.1:<port>"

  // Rules are tried in the order added; the first match with times left is used.
  void add_rule(FaultRule rule);
  void clear_rules();
  void set_fault_probability(double probability);

  std::uint64_t requests() const;     // requests received
  std::uint64_t faults() const;       // faults injected, all kinds
  std::uint64_t faults(Fault) const;  // of one kind
  std::uint64_t matching_requests(const std::string& method,
                                  const std::string& target_contains) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ndbucket::testing
