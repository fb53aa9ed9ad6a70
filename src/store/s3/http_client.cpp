#include "store/s3/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <mutex>

#include "ndbucket/core/error.hpp"

namespace ndbucket::s3 {

namespace {

std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// What one transfer reads from and writes to; curl's callbacks receive a pointer to it.
struct Transfer {
  ByteSpan upload;
  std::size_t uploaded = 0;
  HttpResponse* response = nullptr;
  std::optional<MutableByteSpan> body_into;
  bool overflow = false;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::size_t n = std::min(size * count, transfer->upload.size() - transfer->uploaded);
  std::memcpy(buffer, transfer->upload.data() + transfer->uploaded, n);
  transfer->uploaded += n;
  return n;
}

// curl rewinds the upload when it must resend it (a redirect, a reused connection that closed).
int seek_body(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<std::size_t>(offset) > transfer->upload.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  transfer->uploaded = static_cast<std::size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Sizes the body buffer once from Content-Length, sparing the copies of a growing vector (they
// were a third of the client's CPU when fetching many small objects). Capped, since the length is
// the server's word: a larger body still grows as it arrives.
void reserve_announced_length(HttpResponse& response) {
  constexpr std::uint64_t kMaxReserve = std::uint64_t{64} << 20;
  std::optional<std::string> length = response.header("content-length");
  if (!length) return;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(length->data(), length->data() + length->size(), value);
  if (error == std::errc() && end == length->data() + length->size() && value <= kMaxReserve) {
    response.body.reserve(static_cast<std::size_t>(value));
  }
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  HttpResponse& response = *transfer->response;
  bool direct = transfer->body_into && response.status >= 200 && response.status < 300;
  if (direct) {
    MutableByteSpan& into = *transfer->body_into;
    if (response.body_bytes + n > into.size()) {
      transfer->overflow = true;
      return 0;  // aborts the transfer
    }
    std::memcpy(into.data() + response.body_bytes, data, n);
  } else {
    if (response.body.empty()) reserve_announced_length(response);
    auto* bytes = reinterpret_cast<const std::byte*>(data);
    response.body.insert(response.body.end(), bytes, bytes + n);
  }
  response.body_bytes += n;
  return n;
}

std::size_t write_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue or a redirect) starts a new set of headers.
    transfer->response->headers.clear();
    std::size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      transfer->response->status = std::atol(std::string(line.substr(space + 1, 3)).c_str());
    }
    return n;
  }
  std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    transfer->response->headers.emplace_back(lower(trim(line.substr(0, colon))),
                                             trim(line.substr(colon + 1)));
  }
  return n;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

struct CurlTransport::Impl {
  HttpOptions options;
  CURLSH* share = nullptr;
  // curl asks for a lock per kind of shared data (connections, DNS, TLS sessions).
  std::mutex share_locks[CURL_LOCK_DATA_LAST];
  std::mutex pool_mutex;
  std::vector<CURL*> idle_handles;  // guarded by pool_mutex

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_locks[data].unlock();
  }

  CURL* acquire() {
    {
      std::lock_guard guard(pool_mutex);
      if (!idle_handles.empty()) {
        CURL* handle = idle_handles.back();
        idle_handles.pop_back();
        return handle;
      }
    }
    CURL* handle = curl_easy_init();
    if (!handle) throw Error(ErrorCode::Io, "could not create an HTTP handle (out of memory?)");
    return handle;
  }

  void release(CURL* handle) {
    curl_easy_reset(handle);  // keeps the handle's connections, drops the request's settings
    std::lock_guard guard(pool_mutex);
    idle_handles.push_back(handle);
  }
};

CurlTransport::CurlTransport(HttpOptions options) : impl_(std::make_unique<Impl>()) {
  // Since curl 7.84 this is thread-safe and counts its calls; it must precede any other call.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  impl_->options = std::move(options);
  impl_->share = curl_share_init();
  curl_share_setopt(impl_->share, CURLSHOPT_LOCKFUNC, &Impl::lock);
  curl_share_setopt(impl_->share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
  curl_share_setopt(impl_->share, CURLSHOPT_USERDATA, impl_.get());
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl_->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

CurlTransport::~CurlTransport() {
  for (CURL* handle : impl_->idle_handles) curl_easy_cleanup(handle);
  curl_share_cleanup(impl_->share);
  curl_global_cleanup();
}

HttpResponse CurlTransport::perform(const HttpRequest& request) {
  HttpResponse response;
  Transfer transfer{request.body, 0, &response, request.body_into, false};
  CURL* handle = impl_->acquire();
  curl_slist* headers = nullptr;
  struct Cleanup {
    CurlTransport::Impl* impl;
    CURL* handle;
    curl_slist*& headers;
    ~Cleanup() {
      curl_slist_free_all(headers);
      impl->release(handle);
    }
  } cleanup{impl_.get(), handle, headers};

  const HttpOptions& options = impl_->options;
  curl_easy_setopt(handle, CURLOPT_SHARE, impl_->share);
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(options.low_speed_time.count()));
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_bundle.empty())
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.ca_bundle.c_str());
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &write_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &write_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);

  const std::string& method = request.method;
  if (method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (method == "PUT" || method == "POST") {
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, &read_body);
    curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, &seek_body);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    if (method == "POST") curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  for (const auto& [name, value] : request.headers) {
    // curl drops "Name:" with nothing after it; "Name;" is its spelling of an empty value, which
    // must be sent since it was signed (x-amz-meta-shape of a 0-d array is empty).
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  // S3 needs no 100-continue round trip: it costs a full RTT on every upload over 1 MiB. curl's
  // default Accept header is not needed either.
  headers = curl_slist_append(headers, "Expect:");
  headers = curl_slist_append(headers, "Accept:");
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);

  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    if (transfer.overflow) {
      // The caller sized the buffer for a different object (or range): its mistake, not S3's.
      throw Error(ErrorCode::InvalidArgument, "the response from " + without_query(request.url) +
                                                  " holds more than the " +
                                                  std::to_string(request.body_into->size()) +
                                                  " bytes of the destination buffer");
    }
    throw Error(ErrorCode::Unavailable, request.method + " " + without_query(request.url) +
                                            " failed: " + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  return response;
}

}  // namespace ndbucket::s3
