#include "ndbucket/store/s3_store.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/parallel.hpp"
#include "ndbucket/core/base64.hpp"
#include "ndbucket/store/key.hpp"
#include "ndbucket/store/object_upload.hpp"
#include "ndbucket/store/open_store.hpp"
#include "ndbucket/store/prefix_store.hpp"
#include "store/s3/credentials.hpp"
#include "store/s3/download_check.hpp"
#include "store/s3/hashing.hpp"
#include "store/s3/http_client.hpp"
#include "store/s3/s3_errors.hpp"
#include "store/s3/sigv4.hpp"
#include "store/s3/xml.hpp"

namespace ndbucket {

using s3::HeaderList;
using s3::HttpRequest;
using s3::HttpResponse;
using s3::XmlElement;

namespace {

constexpr std::uint64_t kMinPartSize = 5u << 20;      // S3 refuses smaller parts but the last
constexpr std::uint64_t kMaxSingleCopy = 5ull << 30;  // CopyObject refuses larger sources
constexpr std::uint64_t kMaxParts = 10'000;           // S3's limit on parts per upload
constexpr std::uint64_t kMaxPartSize = 5ull << 30;    // S3 refuses larger parts
constexpr std::size_t kDeleteBatch = 1000;            // DeleteObjects' limit per request
constexpr const char* kMetaPrefix = "x-amz-meta-";

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// HTTP headers carry ASCII; other metadata values travel RFC 2047-encoded, as AWS itself
// returns non-ASCII metadata.
std::string encode_metadata_value(const std::string& value) {
  if (is_printable_ascii(value)) return value;
  return "=?UTF-8?B?" + base64_encode(as_bytes(value)) + "?=";
}

std::string decode_metadata_value(const std::string& value) {
  if (!value.starts_with("=?UTF-8?B?") && !value.starts_with("=?utf-8?b?")) return value;
  if (!value.ends_with("?=")) return value;
  std::optional<Bytes> decoded =
      base64_decode(std::string_view(value).substr(10, value.size() - 12));
  return decoded ? std::string(as_string_view(*decoded)) : value;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

// A server's time as a time_point; the epoch (unknown) for one the clock cannot hold: years
// outside 1678-2262 overflow system_clock's nanoseconds (found by the s3_list fuzzer).
std::chrono::system_clock::time_point from_server_time(std::tm& tm) {
  std::time_t seconds = ::timegm(&tm);
  constexpr std::time_t kLimit = 9'000'000'000;  // about year 2255, inside the clock's range
  if (seconds == -1 || seconds > kLimit || seconds < -kLimit) return {};
  return std::chrono::system_clock::from_time_t(seconds);
}

std::chrono::system_clock::time_point parse_http_date(const std::string& text) {
  std::tm tm{};
  if (!::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return {};
  return from_server_time(tm);
}

std::chrono::system_clock::time_point parse_iso_date(const std::string& text) {
  std::tm tm{};
  const char* rest = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return {};
  auto time = from_server_time(tm);
  if (time == std::chrono::system_clock::time_point{}) return time;
  if (*rest == '.') {
    int millis = 0, digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
      if (digits < 3) millis = millis * 10 + (*rest - '0');
    }
    while (digits++ < 3) millis *= 10;
    time += std::chrono::milliseconds(millis);
  }
  return time;
}

std::uint64_t parse_unsigned(const std::string& text, const std::string& what) {
  try {
    std::size_t used = 0;
    unsigned long long value = std::stoull(text, &used);
    if (used == text.size() && !text.empty() && text[0] != '-') return value;
  } catch (const std::exception&) {
  }
  throw Error(ErrorCode::Corrupt, what + ": expected a byte count, got '" + text + "'");
}

// Keys and prefixes in a listing asked for with encoding-type=url.
std::string url_decode(const std::string& text, bool encoded) {
  if (!encoded) return text;
  std::string plus_as_space = text;
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  return percent_decode(plus_as_space);
}

}  // namespace

struct S3Store::Fetched {
  HttpResponse response;
  ObjectInfo info;
  bool ignored_range = false;
};

// A request as S3Store builds it: signed and sent (with retries) by Impl::send.
struct S3Request {
  std::string method;
  std::string key;  // empty for bucket requests
  std::vector<std::pair<std::string, std::string>> query;
  HeaderList headers;
  ByteSpan body;
  std::optional<MutableByteSpan> body_into;
  bool service_level = false;  // ListBuckets: no bucket in host or path
};

// Sends one part of a multipart upload: (upload id, part number, offset, length) -> its ETag.
using PartSender =
    std::function<std::string(const std::string&, int, std::uint64_t, std::uint64_t)>;

struct S3Store::Impl {
  S3Config config;
  s3::ResolvedSettings settings;
  std::string scheme;  // "http" or "https"
  std::string host;    // endpoint host[:port]
  bool path_style = true;
  std::shared_ptr<s3::HttpTransport> transport;
  // NDBUCKET_LOG=debug sends debug messages to stderr when no log callback is configured.
  bool debug_to_stderr = false;

  Impl(S3Config c, std::shared_ptr<s3::HttpTransport> t)
      : config(std::move(c)),
        settings(s3::resolve_settings(config, s3::process_environment())),
        transport(t ? std::move(t)
                    : std::make_shared<s3::CurlTransport>(
                          s3::HttpOptions{config.connect_timeout, 1024, config.low_speed_time,
                                          config.verify_tls, config.ca_bundle})) {
    std::string_view endpoint = settings.endpoint;
    std::size_t scheme_end = endpoint.find("://");
    scheme = std::string(endpoint.substr(0, scheme_end));
    host = std::string(endpoint.substr(scheme_end + 3));
    if (host.find('/') != std::string::npos || host.empty()) {
      throw Error(ErrorCode::InvalidArgument,
                  "S3 endpoint '" + settings.endpoint + "' must be scheme://host[:port]");
    }
    // Default ports are left out of the Host header, so they must be left out of the signature.
    if ((scheme == "http" && host.ends_with(":80")) ||
        (scheme == "https" && host.ends_with(":443"))) {
      host.erase(host.rfind(':'));
    }
    const char* log_level = std::getenv("NDBUCKET_LOG");
    debug_to_stderr = log_level && std::string_view(log_level) == "debug";
    bool aws = host.ends_with(".amazonaws.com");
    bool dns_safe_bucket = config.bucket.find('.') == std::string::npos;
    path_style = config.addressing == S3Addressing::Path ||
                 (config.addressing == S3Addressing::Auto && (!aws || !dns_safe_bucket));
  }

  std::string what(std::string_view key) const {
    return "s3://" + config.bucket + (key.empty() ? "" : "/" + std::string(key));
  }

  std::string request_host(const S3Request& request) const {
    return path_style || request.service_level ? host : config.bucket + "." + host;
  }

  std::string request_path(const S3Request& request) const {
    if (request.service_level) return "/";
    std::string path = path_style ? "/" + config.bucket : "";
    if (!request.key.empty() || !path_style) path += "/" + s3::uri_encode(request.key, false);
    return path;
  }

  void log(const std::string& message) const {
    if (config.log) {
      config.log(message);
    } else if (debug_to_stderr) {
      std::fprintf(stderr, "ndbucket debug: %s\n", message.c_str());
    }
  }

  // Why a 2xx answer's body cannot be trusted ("" when it can): see s3::check_download.
  using ResponseCheck = std::function<std::string(const HttpResponse&)>;

  // Signs and sends, retrying transient failures; returns the first non-retryable answer.
  // `ok_may_hold_error`: see s3::is_retryable. A 2xx answer that fails `check` is retried too,
  // and is Corrupt when retries run out.
  HttpResponse send(const S3Request& request, bool ok_may_hold_error = false,
                    const ResponseCheck& check = {}) {
    std::string payload_hash =
        config.unsigned_payload ? "UNSIGNED-PAYLOAD" : s3::sha256_hex(request.body);
    s3::SigningRequest to_sign{request.method, request_host(request), request_path(request),
                               request.query,  request.headers,       payload_hash};
    std::string url = scheme + "://" + to_sign.host + to_sign.path;
    if (!request.query.empty()) url += "?" + s3::query_string(request.query);

    auto start = std::chrono::steady_clock::now();
    std::mt19937_64 jitter(std::random_device{}());
    for (int attempt = 1;; ++attempt) {
      HttpRequest http_request{request.method, url, request.headers, request.body,
                               request.body_into};
      if (settings.credentials) {
        // Signed per attempt: the signature carries the time, and S3 rejects stale ones.
        s3::SignedHeaders signed_headers = s3::sign_request(
            to_sign, *settings.credentials, settings.region, std::chrono::system_clock::now());
        for (auto& header : signed_headers.headers_to_add) {
          http_request.headers.push_back(std::move(header));
        }
      } else {
        http_request.headers.emplace_back("x-amz-content-sha256", payload_hash);
      }
      std::string failure;
      bool corrupt = false;
      try {
        HttpResponse response = transport->perform(http_request);
        if (!s3::is_retryable(response, ok_may_hold_error)) {
          bool ok = response.status >= 200 && response.status < 300;
          if (!ok || !check) return response;
          failure = check(response);
          if (failure.empty()) return response;
          failure = request.method + " " + what(request.key) + ": " + failure;
          corrupt = true;
        } else {
          failure = s3::error_from_response(response, what(request.key)).message();
        }
      } catch (const Error& error) {
        if (error.code() != ErrorCode::Unavailable) throw;
        failure = error.message();
      }
      auto elapsed = std::chrono::steady_clock::now() - start;
      // Full jitter: a random wait below an exponentially growing ceiling spreads out clients
      // that failed together.
      auto ceiling = std::min<std::chrono::milliseconds::rep>(config.retry.max_delay.count(),
                                                              config.retry.base_delay.count()
                                                                  << std::min(attempt - 1, 20));
      std::chrono::milliseconds wait(
          std::uniform_int_distribution<std::chrono::milliseconds::rep>(0, ceiling)(jitter));
      // No retry starts after max_total: a wait that would end past it is not begun.
      if (attempt >= config.retry.max_attempts || elapsed + wait >= config.retry.max_total) {
        throw Error(
            corrupt ? ErrorCode::Corrupt : ErrorCode::Unavailable,
            failure + " (gave up after " + std::to_string(attempt) + " attempts in " +
                std::to_string(
                    std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()) +
                " ms)");
      }
      log("retrying " + request.method + " " + what(request.key) + " in " +
          std::to_string(wait.count()) + " ms after attempt " + std::to_string(attempt) + ": " +
          failure);
      std::this_thread::sleep_for(wait);
    }
  }

  // send() that turns any non-2xx answer, and an <Error> in a 200 where S3 may put one, into an
  // error naming the request's key and `operation`.
  HttpResponse send_ok(const S3Request& request, const char* operation = nullptr) {
    HttpResponse response = send(request, operation != nullptr);
    if (response.status < 200 || response.status >= 300) {
      throw s3::error_from_response(response, what(request.key));
    }
    if (operation) {
      if (auto error = s3::parse_s3_error(response.body)) {
        // A 200 carries no status of its own: an unknown code means the request was wrong.
        throw Error(s3::error_code_for(400, error->code), what(request.key) + ": " + operation +
                                                              " failed with " + error->code + ": " +
                                                              error->message);
      }
    }
    return response;
  }

  XmlElement parse(const HttpResponse& response, std::string_view key) const {
    return s3::parse_xml(as_string_view(response.body), what(key));
  }

  ObjectInfo info_from_headers(std::string_view key, const HttpResponse& response) const {
    ObjectInfo info;
    info.key = std::string(key);
    info.etag = response.header("etag").value_or("");
    info.last_modified = parse_http_date(response.header("last-modified").value_or(""));
    info.content_type = response.header("content-type").value_or(std::string(kDefaultContentType));
    for (const auto& [name, value] : response.headers) {
      if (name.starts_with(kMetaPrefix)) {
        info.metadata[name.substr(std::strlen(kMetaPrefix))] = decode_metadata_value(value);
      }
    }
    if (auto length = response.header("content-length")) {
      info.size = parse_unsigned(*length, what(key) + " Content-Length");
    }
    return info;
  }

  void add_put_headers(HeaderList& headers, const PutOptions& options) const {
    headers.emplace_back("content-type", options.content_type);
    for (const auto& [name, value] : options.metadata) {
      std::string lower_name = ascii_lower(name);
      if (lower_name.empty() || !std::all_of(lower_name.begin(), lower_name.end(), is_token_char)) {
        throw Error(ErrorCode::InvalidArgument,
                    "metadata name '" + name +
                        "' cannot be sent to S3: use letters, digits, '-', '_' and '.'");
      }
      headers.emplace_back(kMetaPrefix + lower_name, encode_metadata_value(value));
    }
    if (!config.canned_acl.empty()) headers.emplace_back("x-amz-acl", config.canned_acl);
  }

  ObjectInfo put_single(std::string_view key, ByteSpan body, const PutOptions& options) {
    S3Request request{"PUT", std::string(key), {}, {}, body, std::nullopt};
    add_put_headers(request.headers, options);
    request.headers.emplace_back("content-md5", s3::md5_base64(body));
    HttpResponse response = send_ok(request);
    ObjectInfo info;
    info.key = std::string(key);
    info.size = body.size();
    info.etag = response.header("etag").value_or("");
    info.last_modified = parse_http_date(response.header("date").value_or(""));
    info.content_type = options.content_type;
    for (const auto& [name, value] : options.metadata) info.metadata[ascii_lower(name)] = value;
    return info;
  }

  // Initiates a multipart upload, sends every part through `send_part` on up to config.concurrency
  // threads, completes it, and aborts it on any failure so no parts stay behind.
  ObjectInfo multipart(std::string_view key, const PutOptions& options, std::uint64_t size,
                       std::uint64_t part_size, const PartSender& send_part) {
    std::string upload_id = initiate_multipart(key, options);
    try {
      std::uint64_t parts = std::max<std::uint64_t>(1, (size + part_size - 1) / part_size);
      std::vector<std::string> etags(parts);
      detail::for_each_parallel(parts, config.concurrency, [&](std::size_t index) {
        std::uint64_t offset = index * part_size;
        etags[index] = send_part(upload_id, static_cast<int>(index + 1), offset,
                                 std::min(part_size, size - offset));
      });
      complete_multipart(key, upload_id, etags);
    } catch (...) {
      abort_multipart(key, upload_id);
      throw;
    }
    return head_after_upload(key);
  }

  // Starts a multipart upload with the object's metadata; returns its upload id.
  std::string initiate_multipart(std::string_view key, const PutOptions& options) {
    S3Request initiate{"POST", std::string(key), {{"uploads", ""}}, {}, {}, std::nullopt};
    add_put_headers(initiate.headers, options);
    XmlElement initiated = parse(send_ok(initiate), key);
    std::string upload_id = initiated.child_text("UploadId");
    if (upload_id.empty()) {
      throw Error(ErrorCode::Corrupt, what(key) + ": InitiateMultipartUpload returned no UploadId");
    }
    return upload_id;
  }

  // Publishes the parts, numbered from 1 in the order of `etags`.
  void complete_multipart(std::string_view key, const std::string& upload_id,
                          const std::vector<std::string>& etags) {
    std::string document = "<CompleteMultipartUpload>";
    for (std::size_t i = 0; i < etags.size(); ++i) {
      document += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
                  s3::xml_escape(etags[i]) + "</ETag></Part>";
    }
    document += "</CompleteMultipartUpload>";
    S3Request complete{"POST",
                       std::string(key),
                       {{"uploadId", upload_id}},
                       {{"content-type", "application/xml"}},
                       as_bytes(document),
                       std::nullopt};
    send_ok(complete, "CompleteMultipartUpload");
  }

  // RGW answers CompleteMultipartUpload with an empty ETag; a HEAD has the real one.
  ObjectInfo head_after_upload(std::string_view key) {
    std::optional<ObjectInfo> info = head(key);
    if (!info) throw Error(ErrorCode::Unavailable, what(key) + " vanished right after its upload");
    return *info;
  }

  void abort_multipart(std::string_view key, const std::string& upload_id) {
    try {
      S3Request abort{"DELETE", std::string(key), {{"uploadId", upload_id}}, {}, {}, std::nullopt};
      HttpResponse response = send(abort);
      if (response.status >= 300 && response.status != 404) {
        log("could not abort multipart upload of " + what(key) + ": HTTP " +
            std::to_string(response.status));
      }
    } catch (const Error& error) {
      log("could not abort multipart upload of " + what(key) + ": " + error.message());
    }
  }

  // `preferred`, but at least S3's minimum and large enough to stay within 10,000 parts.
  static std::uint64_t part_size_for(std::uint64_t size, std::uint64_t preferred) {
    std::uint64_t part = std::max(preferred, kMinPartSize);
    std::uint64_t needed = (size + kMaxParts - 1) / kMaxParts;
    if (part < needed) part = (needed + (1u << 20) - 1) / (1u << 20) * (1u << 20);
    return part;
  }

  std::optional<ObjectInfo> head(std::string_view key) {
    S3Request request{"HEAD", std::string(key), {}, {}, {}, std::nullopt};
    HttpResponse response = send(request);
    if (response.status == 404) return std::nullopt;
    if (response.status < 200 || response.status >= 300) {
      throw s3::error_from_response(response, what(key));
    }
    return info_from_headers(key, response);
  }

  std::string copy_source(std::string_view source) const {
    return "/" + config.bucket + "/" + s3::uri_encode(source, false);
  }

  ObjectInfo copy(std::string_view source, std::string_view destination,
                  const std::optional<PutOptions>& replace) {
    validate_key(source, url());
    validate_key(destination, url());
    std::optional<ObjectInfo> source_info = head(source);
    if (!source_info) {
      throw Error(ErrorCode::NotFound, "copy source " + what(source) + " does not exist");
    }
    PutOptions options =
        replace ? *replace : PutOptions{source_info->metadata, source_info->content_type};
    if (source_info->size > std::min(config.multipart_copy_threshold, kMaxSingleCopy)) {
      return multipart(
          destination, options, source_info->size,
          part_size_for(source_info->size, config.copy_part_size),
          [&](const std::string& id, int number, std::uint64_t offset, std::uint64_t length) {
            return copy_part(source, destination, id, number, offset, length);
          });
    }
    S3Request request{"PUT", std::string(destination), {}, {}, {}, std::nullopt};
    request.headers.emplace_back("x-amz-copy-source", copy_source(source));
    if (replace) {
      request.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
      add_put_headers(request.headers, options);
    } else {
      request.headers.emplace_back("x-amz-metadata-directive", "COPY");
      if (!config.canned_acl.empty()) request.headers.emplace_back("x-amz-acl", config.canned_acl);
    }
    HttpResponse response = send_ok(request, "CopyObject");
    ObjectInfo info = *source_info;
    info.key = std::string(destination);
    info.metadata = options.metadata;
    info.content_type = options.content_type;
    XmlElement result = parse(response, destination);
    info.etag = result.child_text("ETag", info.etag);
    info.last_modified = parse_iso_date(result.child_text("LastModified"));
    return info;
  }

  std::string copy_part(std::string_view source, std::string_view destination,
                        const std::string& upload_id, int number, std::uint64_t offset,
                        std::uint64_t length) {
    S3Request request{"PUT",
                      std::string(destination),
                      {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                      {{"x-amz-copy-source", copy_source(source)},
                       {"x-amz-copy-source-range", "bytes=" + std::to_string(offset) + "-" +
                                                       std::to_string(offset + length - 1)}},
                      {},
                      std::nullopt};
    HttpResponse response = send_ok(request, "UploadPartCopy");
    std::string etag = parse(response, destination).child_text("ETag");
    if (etag.empty()) throw Error(ErrorCode::Corrupt, what(destination) + ": part without ETag");
    return etag;
  }

  std::string upload_part(std::string_view key, ByteSpan body, const std::string& upload_id,
                          int number, std::uint64_t offset, std::uint64_t length) {
    ByteSpan part = body.subspan(offset, length);
    S3Request request{"PUT",
                      std::string(key),
                      {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                      {{"content-md5", s3::md5_base64(part)}},
                      part,
                      std::nullopt};
    HttpResponse response = send_ok(request);
    std::string etag = response.header("etag").value_or("");
    if (etag.empty()) throw Error(ErrorCode::Corrupt, what(key) + ": part without ETag");
    return etag;
  }

  std::string url() const { return "s3://" + config.bucket; }

  // A GET whose body lands in `into` when given (else in the response); see Fetched.
  Fetched fetch(std::string_view key, const std::optional<ByteRange>& range,
                std::optional<MutableByteSpan> into);
};

S3Store::S3Store(S3Config config) : S3Store(std::move(config), nullptr) {}

S3Store::S3Store(S3Config config, std::shared_ptr<s3::HttpTransport> transport) {
  if (config.bucket.empty()) throw Error(ErrorCode::InvalidArgument, "S3Store needs a bucket");
  impl_ = std::make_unique<Impl>(std::move(config), std::move(transport));
}

S3Store::~S3Store() = default;

const S3Config& S3Store::config() const { return impl_->config; }

std::string S3Store::url() const { return impl_->url(); }

StoreCapabilities S3Store::capabilities() const {
  return {.arbitrary_key_segments = true, .server_side_copy = true};
}

ObjectInfo S3Store::put(std::string_view key, ByteSpan body, const PutOptions& options) {
  validate_key(key, url());
  if (body.size() <= impl_->config.multipart_threshold) {
    return impl_->put_single(key, body, options);
  }
  return impl_->multipart(
      key, options, body.size(), Impl::part_size_for(body.size(), impl_->config.part_size),
      [&](const std::string& id, int number, std::uint64_t offset, std::uint64_t length) {
        return impl_->upload_part(key, body, id, number, offset, length);
      });
}

S3Store::Fetched S3Store::Impl::fetch(std::string_view key, const std::optional<ByteRange>& range,
                                      std::optional<MutableByteSpan> into) {
  Impl& impl = *this;
  validate_key(key, impl.url());
  S3Request request{"GET", std::string(key), {}, {}, {}, into};
  if (range) {
    // Refused locally what S3 would refuse, so every store answers the same.
    if (range->suffix ? *range->suffix == 0 : range->length && *range->length == 0) {
      resolve_range(*range, 1, impl.what(key));
    }
    std::string spec = "bytes=";
    if (range->suffix) {
      spec += "-" + std::to_string(*range->suffix);
    } else {
      spec += std::to_string(range->offset) + "-";
      if (range->length) spec += std::to_string(range->offset + *range->length - 1);
    }
    request.headers.emplace_back("range", spec);
  }
  auto check = [&](const HttpResponse& response) {
    ByteSpan body = into ? ByteSpan(into->first(response.body_bytes)) : ByteSpan(response.body);
    return s3::check_download(response, body, range);
  };
  Fetched fetched{impl.send(request, false, check), {}, false};
  HttpResponse& response = fetched.response;
  if (response.status == 404) {
    auto error = s3::parse_s3_error(response.body);
    if (!error || error->code == "NoSuchKey") {
      throw Error(ErrorCode::NotFound, "no object at " + impl.what(key));
    }
  }
  if (response.status == 416) {
    throw Error(ErrorCode::InvalidArgument,
                "range not satisfiable for " + impl.what(key) + " (S3 answered 416)");
  }
  if (response.status < 200 || response.status >= 300) {
    throw s3::error_from_response(response, impl.what(key));
  }
  fetched.info = impl.info_from_headers(key, response);
  fetched.info.size = response.body_bytes;
  if (response.status == 206) {
    // "bytes FIRST-LAST/TOTAL": the object's size is TOTAL.
    std::string content_range = response.header("content-range").value_or("");
    std::size_t slash = content_range.rfind('/');
    if (slash == std::string::npos) {
      throw Error(ErrorCode::Corrupt,
                  impl.what(key) + ": partial response without a Content-Range");
    }
    fetched.info.size = parse_unsigned(content_range.substr(slash + 1), impl.what(key));
  } else {
    fetched.ignored_range = range.has_value();
  }
  return fetched;
}

// Bodies are cut into parts as they arrive. Nothing is sent until more than
// multipart_threshold bytes were written, so a small object stays one PUT (decided at commit);
// past it, a multipart upload starts and every full part is sent in the background, at most
// config.concurrency at once: the upload holds at most threshold + (concurrency + 1) parts.
class S3Store::Upload final : public ObjectUpload {
 public:
  Upload(Impl& impl, std::string_view key, PutOptions options)
      : ObjectUpload(impl.what(key)),
        impl_(impl),
        key_(key),
        options_(std::move(options)),
        base_part_size_(std::max(impl.config.part_size, kMinPartSize)) {
    validate_key(key, impl.url());
    // Refuse bad metadata names now rather than after gigabytes were written.
    HeaderList unused;
    impl_.add_put_headers(unused, options_);
  }
  ~Upload() override { abort(); }

 protected:
  void append(ByteSpan data) override {
    const std::uint64_t before = size();  // bytes of earlier writes
    const std::size_t total = data.size();
    while (!data.empty()) {
      std::uint64_t room = part_size(parts_cut_) - filling_.size();
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(room, data.size()));
      filling_.insert(filling_.end(), data.begin(), data.begin() + take);
      data = data.subspan(take);
      if (filling_.size() == part_size(parts_cut_)) {
        full_parts_.push_back(std::move(filling_));
        filling_ = {};
        ++parts_cut_;
      }
      if (upload_id_.empty() && before + (total - data.size()) > impl_.config.multipart_threshold) {
        upload_id_ = impl_.initiate_multipart(key_, options_);
      }
      if (!upload_id_.empty()) send_full_parts();
    }
  }

  ObjectInfo publish() override {
    if (upload_id_.empty()) {
      Bytes body;
      body.reserve(size());
      for (const Bytes& part : full_parts_) body.insert(body.end(), part.begin(), part.end());
      body.insert(body.end(), filling_.begin(), filling_.end());
      return impl_.put_single(key_, body, options_);
    }
    if (!filling_.empty()) full_parts_.push_back(std::move(filling_));
    send_full_parts();
    while (!in_flight_.empty()) collect_oldest();
    impl_.complete_multipart(key_, upload_id_, etags_);
    return impl_.head_after_upload(key_);
  }

  void discard() noexcept override {
    for (auto& part : in_flight_) {
      try {
        part.get();
      } catch (...) {  // the upload is being abandoned: a part's failure no longer matters
      }
    }
    in_flight_.clear();
    if (!upload_id_.empty()) impl_.abort_multipart(key_, upload_id_);
  }

 private:
  // S3 allows 10,000 parts: the part size doubles every 1,000 parts (up to S3's 5 GiB), so a
  // stream of unknown length can reach terabytes while small uploads keep small parts.
  std::uint64_t part_size(std::uint64_t index) const {
    return std::min(base_part_size_ << std::min<std::uint64_t>(index / 1000, 20), kMaxPartSize);
  }

  void send_full_parts() {
    while (!full_parts_.empty()) {
      if (in_flight_.size() >= static_cast<std::size_t>(std::max(1, impl_.config.concurrency))) {
        collect_oldest();
      }
      int number = static_cast<int>(etags_.size() + in_flight_.size() + 1);
      if (static_cast<std::uint64_t>(number) > kMaxParts) {
        throw Error(ErrorCode::InvalidArgument,
                    what() + " is too large for one upload (S3 allows 10,000 parts)");
      }
      in_flight_.push_back(
          std::async(std::launch::async, [this, number, part = std::move(full_parts_.front())] {
            return impl_.upload_part(key_, part, upload_id_, number, 0, part.size());
          }));
      full_parts_.pop_front();
    }
  }

  // Waits for the oldest part in flight; its failure becomes the upload's.
  void collect_oldest() {
    std::future<std::string> oldest = std::move(in_flight_.front());
    in_flight_.pop_front();
    etags_.push_back(oldest.get());
  }

  Impl& impl_;
  std::string key_;
  PutOptions options_;
  std::uint64_t base_part_size_;
  Bytes filling_;                 // the part being filled
  std::deque<Bytes> full_parts_;  // cut, not yet sent (all of them before multipart starts)
  std::uint64_t parts_cut_ = 0;   // parts cut so far, sent or not
  std::string upload_id_;         // empty until the multipart upload starts
  std::deque<std::future<std::string>> in_flight_;  // parts being sent, oldest first
  std::vector<std::string> etags_;                  // ETags of the parts sent, in part order
};

std::unique_ptr<ObjectUpload> S3Store::begin_upload(std::string_view key,
                                                    const PutOptions& options) {
  return std::make_unique<Upload>(*impl_, key, options);
}

GetResult S3Store::get(std::string_view key, const std::optional<ByteRange>& range) {
  Fetched fetched = impl_->fetch(key, range, std::nullopt);
  GetResult result{std::move(fetched.response.body), std::move(fetched.info)};
  if (fetched.ignored_range) {
    // The server ignored the Range header (some do for empty objects): apply it here.
    ResolvedRange span = resolve_range(*range, result.body.size(), impl_->what(key));
    result.body = Bytes(result.body.begin() + static_cast<std::ptrdiff_t>(span.begin),
                        result.body.begin() + static_cast<std::ptrdiff_t>(span.end));
  }
  return result;
}

ObjectInfo S3Store::get_into(std::string_view key, MutableByteSpan destination,
                             const std::optional<ByteRange>& range) {
  Fetched fetched = impl_->fetch(key, range, destination);
  if (fetched.ignored_range) {
    ResolvedRange span = resolve_range(*range, fetched.info.size, impl_->what(key));
    if (span.begin != 0 || span.end != fetched.info.size) {
      throw Error(ErrorCode::Unsupported,
                  impl_->what(key) + ": the server ignored the Range header of a ranged read");
    }
  }
  check_destination_size(fetched.response.body_bytes, destination.size(), impl_->what(key));
  return std::move(fetched.info);
}

std::optional<ObjectInfo> S3Store::head(std::string_view key) {
  validate_key(key, url());
  return impl_->head(key);
}

void S3Store::list_pages(std::string_view prefix, const ListOptions& options,
                         const std::function<bool(ListPage&)>& on_page) {
  if (options.page_size == 0) {
    throw Error(ErrorCode::InvalidArgument, "list page size must be at least 1");
  }
  // S3 pages may be shorter than asked (RGW's often are); callers get exactly page_size.
  ListPage pending;
  auto deliver_full_pages = [&](bool final) {
    while (pending.objects.size() + pending.common_prefixes.size() >= options.page_size ||
           (final && !(pending.objects.empty() && pending.common_prefixes.empty()))) {
      ListPage page;
      std::size_t take = options.page_size;
      std::size_t objects = std::min(take, pending.objects.size());
      page.objects.assign(
          std::make_move_iterator(pending.objects.begin()),
          std::make_move_iterator(pending.objects.begin() + static_cast<std::ptrdiff_t>(objects)));
      pending.objects.erase(pending.objects.begin(),
                            pending.objects.begin() + static_cast<std::ptrdiff_t>(objects));
      std::size_t prefixes = std::min(take - objects, pending.common_prefixes.size());
      page.common_prefixes.assign(
          pending.common_prefixes.begin(),
          pending.common_prefixes.begin() + static_cast<std::ptrdiff_t>(prefixes));
      pending.common_prefixes.erase(
          pending.common_prefixes.begin(),
          pending.common_prefixes.begin() + static_cast<std::ptrdiff_t>(prefixes));
      if (!on_page(page)) return false;
    }
    return true;
  };

  std::string token;
  std::string max_keys = std::to_string(std::min<std::size_t>(options.page_size, 1000));
  while (true) {
    S3Request request{"GET",
                      "",
                      {{"list-type", "2"},
                       {"encoding-type", "url"},
                       {"max-keys", max_keys},
                       {"prefix", std::string(prefix)}},
                      {},
                      {},
                      std::nullopt};
    if (!options.delimiter.empty()) request.query.emplace_back("delimiter", options.delimiter);
    if (!token.empty()) request.query.emplace_back("continuation-token", token);
    XmlElement result = impl_->parse(impl_->send_ok(request), "");
    if (result.name != "ListBucketResult") {
      throw Error(ErrorCode::Corrupt,
                  impl_->url() + ": unexpected listing document <" + result.name + ">");
    }
    bool encoded = result.child_text("EncodingType") == "url";
    // S3 sorts objects and prefixes together; keep that order when both are on a page.
    std::vector<ObjectInfo> objects;
    for (const XmlElement* item : result.all("Contents")) {
      ObjectInfo info;
      info.key = url_decode(item->child_text("Key"), encoded);
      info.size = parse_unsigned(item->child_text("Size"), impl_->what(info.key) + " Size");
      info.etag = item->child_text("ETag");
      info.last_modified = parse_iso_date(item->child_text("LastModified"));
      objects.push_back(std::move(info));
    }
    std::vector<std::string> prefixes;
    for (const XmlElement* item : result.all("CommonPrefixes")) {
      prefixes.push_back(url_decode(item->child_text("Prefix"), encoded));
    }
    std::move(objects.begin(), objects.end(), std::back_inserter(pending.objects));
    std::move(prefixes.begin(), prefixes.end(), std::back_inserter(pending.common_prefixes));
    bool truncated = result.child_text("IsTruncated") == "true";
    if (!deliver_full_pages(!truncated)) return;
    if (!truncated) return;
    std::string next = result.child_text("NextContinuationToken");
    if (next.empty() || next == token) {
      throw Error(ErrorCode::Corrupt,
                  impl_->url() + ": truncated listing without a new continuation token");
    }
    token = next;
  }
}

void S3Store::remove(std::string_view key) {
  validate_key(key, url());
  S3Request request{"DELETE", std::string(key), {}, {}, {}, std::nullopt};
  HttpResponse response = impl_->send(request);
  if (response.status >= 200 && response.status < 300) return;
  auto error = s3::parse_s3_error(response.body);
  if (response.status == 404 && (!error || error->code == "NoSuchKey")) return;
  throw s3::error_from_response(response, impl_->what(key));
}

std::vector<std::optional<Error>> S3Store::remove_many(const std::vector<std::string>& keys) {
  std::vector<std::optional<Error>> errors(keys.size());
  std::vector<std::size_t> batch;
  auto flush = [&] {
    if (batch.empty()) return;
    std::string document = "<Delete><Quiet>false</Quiet>";
    for (std::size_t i : batch) {
      document += "<Object><Key>" + s3::xml_escape(keys[i]) + "</Key></Object>";
    }
    document += "</Delete>";
    S3Request request{
        "POST",
        "",
        {{"delete", ""}},
        {{"content-type", "application/xml"}, {"content-md5", s3::md5_base64(as_bytes(document))}},
        as_bytes(document),
        std::nullopt};
    try {
      XmlElement result = impl_->parse(impl_->send_ok(request), "");
      std::map<std::string, Error> failed;
      for (const XmlElement* item : result.all("Error")) {
        std::string key = item->child_text("Key");
        std::string code = item->child_text("Code");
        if (code == "NoSuchKey") continue;  // deleting a missing key is not an error
        failed.emplace(key, Error(s3::error_code_for(500, code),
                                  impl_->what(key) + ": delete failed with " + code + ": " +
                                      item->child_text("Message")));
      }
      for (std::size_t i : batch) {
        if (auto it = failed.find(keys[i]); it != failed.end()) errors[i] = it->second;
      }
    } catch (const Error& error) {
      for (std::size_t i : batch) errors[i] = error;
    }
    batch.clear();
  };
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string why;
    if (!is_valid_key(keys[i], &why)) {
      errors[i] = Error(ErrorCode::InvalidArgument,
                        "invalid key '" + keys[i] + "' in " + url() + ": " + why);
      continue;
    }
    batch.push_back(i);
    if (batch.size() == kDeleteBatch) flush();
  }
  flush();
  return errors;
}

ObjectInfo S3Store::copy(std::string_view source, std::string_view destination) {
  return impl_->copy(source, destination, std::nullopt);
}

ObjectInfo S3Store::copy_with_metadata(std::string_view source, std::string_view destination,
                                       const PutOptions& options) {
  return impl_->copy(source, destination, options);
}

void S3Store::create_bucket() {
  S3Request request{"PUT", "", {}, {}, {}, std::nullopt};
  std::string document;
  // us-east-1 is S3's default location; naming it explicitly is an error there.
  if (impl_->settings.region != "us-east-1") {
    document = "<CreateBucketConfiguration><LocationConstraint>" +
               s3::xml_escape(impl_->settings.region) +
               "</LocationConstraint></CreateBucketConfiguration>";
    request.body = as_bytes(document);
    request.headers.emplace_back("content-type", "application/xml");
  }
  HttpResponse response = impl_->send(request);
  if (response.status >= 200 && response.status < 300) return;
  auto error = s3::parse_s3_error(response.body);
  if (error && error->code == "BucketAlreadyOwnedByYou") return;
  throw s3::error_from_response(response, impl_->url());
}

bool S3Store::bucket_exists() {
  S3Request request{"HEAD", "", {}, {}, {}, std::nullopt};
  HttpResponse response = impl_->send(request);
  if (response.status == 404) return false;
  // 403: the bucket exists but belongs to someone else or this key may not list it.
  if (response.status == 403 || (response.status >= 200 && response.status < 300)) return true;
  throw s3::error_from_response(response, impl_->url());
}

void S3Store::remove_bucket() {
  S3Request request{"DELETE", "", {}, {}, {}, std::nullopt};
  impl_->send_ok(request);
}

std::vector<BucketInfo> S3Store::list_buckets() {
  S3Request request{"GET", "", {}, {}, {}, std::nullopt, /*service_level=*/true};
  XmlElement result = impl_->parse(impl_->send_ok(request), "");
  std::vector<BucketInfo> buckets;
  if (const XmlElement* list = result.child("Buckets")) {
    for (const XmlElement* bucket : list->all("Bucket")) {
      buckets.push_back(
          {bucket->child_text("Name"), parse_iso_date(bucket->child_text("CreationDate"))});
    }
  }
  return buckets;
}

std::vector<S3Store::MultipartUpload> S3Store::list_multipart_uploads(std::string_view prefix) {
  std::vector<MultipartUpload> uploads;
  std::string key_marker, id_marker;
  while (true) {
    S3Request request{"GET", "", {{"uploads", ""}, {"prefix", std::string(prefix)}},
                      {},    {}, std::nullopt};
    if (!key_marker.empty()) {
      request.query.emplace_back("key-marker", key_marker);
      request.query.emplace_back("upload-id-marker", id_marker);
    }
    XmlElement result = impl_->parse(impl_->send_ok(request), "");
    for (const XmlElement* upload : result.all("Upload")) {
      uploads.push_back({upload->child_text("Key"), upload->child_text("UploadId"),
                         parse_iso_date(upload->child_text("Initiated"))});
    }
    if (result.child_text("IsTruncated") != "true") return uploads;
    std::string next_key = result.child_text("NextKeyMarker");
    std::string next_id = result.child_text("NextUploadIdMarker");
    if (next_key.empty() || (next_key == key_marker && next_id == id_marker)) {
      throw Error(ErrorCode::Corrupt, url() + ": truncated upload listing without a next marker");
    }
    key_marker = next_key;
    id_marker = next_id;
  }
}

void S3Store::abort_multipart_upload(std::string_view key, std::string_view upload_id) {
  validate_key(key, url());
  S3Request request{"DELETE", std::string(key), {{"uploadId", std::string(upload_id)}}, {},
                    {},       std::nullopt};
  impl_->send_ok(request);
}

std::string S3Store::presign_get(std::string_view key, std::chrono::seconds expires) {
  return presign("GET", key, expires);
}

std::string S3Store::presign_put(std::string_view key, std::chrono::seconds expires) {
  return presign("PUT", key, expires);
}

std::string S3Store::presign(std::string_view method, std::string_view key,
                             std::chrono::seconds expires) {
  validate_key(key, url());
  if (!impl_->settings.credentials) {
    throw Error(ErrorCode::Unsupported, "an anonymous store cannot presign " + impl_->what(key));
  }
  S3Request request{std::string(method), std::string(key), {}, {}, {}, std::nullopt};
  s3::SigningRequest to_sign{
      request.method,    impl_->request_host(request), impl_->request_path(request), {}, {},
      "UNSIGNED-PAYLOAD"};
  return s3::presign_url(impl_->scheme, to_sign, *impl_->settings.credentials,
                         impl_->settings.region, std::chrono::system_clock::now(), expires);
}

std::shared_ptr<ObjectStore> open_s3_store(S3Config config) {
  std::string prefix = config.prefix;
  while (prefix.starts_with('/')) prefix.erase(0, 1);
  while (prefix.ends_with('/')) prefix.pop_back();
  auto store = std::make_shared<S3Store>(std::move(config));
  if (prefix.empty()) return store;
  return std::make_shared<PrefixStore>(std::move(store), prefix);
}

S3Config parse_s3_url(std::string_view url) {
  if (!url.starts_with("s3://")) {
    throw Error(ErrorCode::InvalidArgument, "'" + std::string(url) + "' is not an s3:// URL");
  }
  std::string_view rest = url.substr(5);
  std::string_view query;
  if (std::size_t mark = rest.find('?'); mark != std::string_view::npos) {
    query = rest.substr(mark + 1);
    rest = rest.substr(0, mark);
  }
  S3Config config;
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view user_info = authority.substr(0, at);
    std::size_t colon = user_info.find(':');
    if (colon == std::string_view::npos) {
      throw Error(ErrorCode::InvalidArgument,
                  "s3:// URL credentials must be ACCESS_KEY:SECRET_KEY before the bucket");
    }
    config.access_key_id = percent_decode(user_info.substr(0, colon));
    config.secret_access_key = percent_decode(user_info.substr(colon + 1));
    authority = authority.substr(at + 1);
  }
  config.bucket = std::string(authority);
  if (config.bucket.empty()) {
    throw Error(ErrorCode::InvalidArgument, "URL 's3://...' names no bucket");
  }
  if (slash != std::string_view::npos) config.prefix = std::string(rest.substr(slash + 1));
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string name = std::string(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    auto flag = [&] { return value == "1" || value == "true" || value == "yes"; };
    if (name == "endpoint") {
      config.endpoint = value;
    } else if (name == "region") {
      config.region = value;
    } else if (name == "addressing") {
      if (value == "path") {
        config.addressing = S3Addressing::Path;
      } else if (value == "virtual") {
        config.addressing = S3Addressing::VirtualHosted;
      } else if (value == "auto") {
        config.addressing = S3Addressing::Auto;
      } else {
        throw Error(ErrorCode::InvalidArgument,
                    "addressing must be path, virtual or auto, not '" + value + "'");
      }
    } else if (name == "profile") {
      config.profile = value;
    } else if (name == "anonymous") {
      config.anonymous = flag();
    } else if (name == "unsigned_payload") {
      config.unsigned_payload = flag();
    } else if (name == "verify_tls") {
      config.verify_tls = flag();
    } else if (name == "acl") {
      config.canned_acl = value;
    } else {
      throw Error(ErrorCode::InvalidArgument,
                  "unknown s3:// URL parameter '" + name +
                      "' (known: endpoint, region, addressing, profile, anonymous, "
                      "unsigned_payload, verify_tls, acl)");
    }
  }
  return config;
}

}  // namespace ndbucket
