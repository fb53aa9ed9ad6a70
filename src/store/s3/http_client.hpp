// The HTTP layer under S3Store. HttpTransport is the small interface S3Store talks to, so tests
// can wrap the real transport to inject faults; CurlTransport is the only code that includes
// curl.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // A transfer slower than low_speed_bytes per second for low_speed_time is aborted (and retried
  // by the caller): a stalled connection must not hang a download forever.
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{30};
  bool verify_tls = true;  // turn off only for test servers with self-signed certificates
  std::string ca_bundle;   // PEM file; empty: the system's
};

struct HttpRequest {
  std::string method;  // GET, PUT, POST, HEAD, DELETE
  std::string url;     // with the query string, exactly as signed
  HeaderList headers;
  ByteSpan body;  // sent from the caller's memory, not copied
  // When set, a 2xx response body is written here instead of into HttpResponse::body; a body
  // longer than the buffer is InvalidArgument (the caller knows the size it asked for).
  std::optional<MutableByteSpan> body_into;
};

struct HttpResponse {
  long status = 0;
  HeaderList headers;            // names lower-cased
  Bytes body;                    // error bodies always land here
  std::uint64_t body_bytes = 0;  // bytes received (also when written to body_into)

  // The last value of a header (name in lower case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

// Sends HTTP requests. Thread safety: perform() may be called from any number of threads.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends the request and returns whatever status the server answered. Transport failures
  // (connection refused or reset, timeouts) throw Error(Unavailable); a body longer than
  // body_into throws Error(InvalidArgument). Messages never carry the query string (it may hold a
  // presigned signature).
  virtual HttpResponse perform(const HttpRequest& request) = 0;
};

// libcurl: a pool of easy handles (keep-alive per handle) sharing one connection cache, DNS
// cache and TLS session cache, so concurrent requests from many threads reuse connections.
class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(HttpOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse perform(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ndbucket::s3
