#include "reliability/fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

namespace ndbucket::testing {

const char* fault_name(Fault fault) {
  switch (fault) {
    case Fault::None:
      return "none";
    case Fault::InternalError500:
      return "500";
    case Fault::SlowDown503:
      return "SlowDown";
    case Fault::TooManyRequests429:
      return "429";
    case Fault::ResetBeforeResponse:
      return "reset-before-response";
    case Fault::ResetMidBody:
      return "reset-mid-body";
    case Fault::Stall:
      return "stall";
    case Fault::TruncateBody:
      return "truncate-body";
    case Fault::ShortBody:
      return "short-body";
    case Fault::FlipByte:
      return "flip-byte";
    case Fault::FlipRequestByte:
      return "flip-request-byte";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

bool answered_by_proxy(Fault fault) {
  return fault == Fault::InternalError500 || fault == Fault::SlowDown503 ||
         fault == Fault::TooManyRequests429 || fault == Fault::ResetBeforeResponse;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// One HTTP message head: the start line and the headers in their order.
struct Head {
  std::string start_line;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received

  std::optional<std::string> get(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (lower(key) == name) return value;
    }
    return std::nullopt;
  }
  void remove(const std::string& name) {
    std::erase_if(headers, [&](const auto& header) { return lower(header.first) == name; });
  }
  std::string serialize() const {
    std::string out = start_line + "\r\n";
    for (const auto& [key, value] : headers) out += key + ": " + value + "\r\n";
    return out + "\r\n";
  }
};

// A socket with a read buffer; every call gives up after the timeout set on the socket.
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection() { close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Closes with a TCP reset instead of an orderly FIN.
  void reset() {
    if (fd_ < 0) return;
    linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close();
  }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // The head of the next message (the raw bytes in `raw`), or nullopt at end of stream or error.
  std::optional<Head> read_head(std::string& raw) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (buffer_.size() > (1u << 20) || !fill()) return std::nullopt;
    }
    raw = buffer_.substr(0, end + 4);
    buffer_.erase(0, end + 4);
    Head head;
    std::size_t line_end = raw.find("\r\n");
    head.start_line = raw.substr(0, line_end);
    std::size_t pos = line_end + 2;
    while (pos < end) {
      std::size_t next = raw.find("\r\n", pos);
      std::string line = raw.substr(pos, next - pos);
      std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::size_t value = line.find_first_not_of(" \t", colon + 1);
        head.headers.emplace_back(line.substr(0, colon),
                                  value == std::string::npos ? "" : line.substr(value));
      }
      pos = next + 2;
    }
    return head;
  }

  bool read_exact(std::size_t n, std::string& out) {
    while (buffer_.size() < n) {
      if (!fill()) return false;
    }
    out.append(buffer_, 0, n);
    buffer_.erase(0, n);
    return true;
  }

  bool read_line(std::string& line) {
    std::size_t end;
    while ((end = buffer_.find("\r\n")) == std::string::npos) {
      if (!fill()) return false;
    }
    line = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    return true;
  }

  void read_to_end(std::string& out) {
    while (fill()) {
    }
    out += buffer_;
    buffer_.clear();
  }

 private:
  bool fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
};

void set_timeout(int fd, std::chrono::seconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// The proxy's own answer for the error-status faults, nullopt for the others.
std::optional<std::string> error_answer(Fault fault) {
  int status;
  const char *reason, *code;
  switch (fault) {
    case Fault::InternalError500:
      status = 500, reason = "Internal Server Error", code = "InternalError";
      break;
    case Fault::SlowDown503:
      status = 503, reason = "Slow Down", code = "SlowDown";
      break;
    case Fault::TooManyRequests429:
      status = 429, reason = "Too Many Requests", code = "TooManyRequests";
      break;
    default:
      return std::nullopt;
  }
  std::string body = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>") + code +
                     "</Code><Message>injected by the fault proxy</Message></Error>";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/xml\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

}  // namespace

struct FaultProxy::Impl {
  FaultProxyOptions options;
  int listen_fd = -1;
  int port = 0;
  Clock::time_point deadline;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> request_count{0};
  std::array<std::atomic<std::uint64_t>, kFaultKinds> fault_counts{};
  std::thread acceptor;

  // Everything below is guarded by `mutex`.
  std::mutex mutex;
  std::vector<FaultRule> rules;
  double probability = 0.0;
  std::mt19937_64 random;
  std::vector<std::thread> workers;
  std::vector<int> open_fds;  // client sockets, shut down on stop
  std::vector<std::string> request_lines;

  void accept_loop() {
    while (!stopping && Clock::now() < deadline) {
      pollfd waiting{listen_fd, POLLIN, 0};
      if (::poll(&waiting, 1, 100) <= 0) continue;
      int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0) continue;
      set_timeout(fd, options.io_timeout);
      std::lock_guard guard(mutex);
      open_fds.push_back(fd);
      workers.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Chooses the fault for a request: a rule's, else a random one, else None.
  Fault choose(const std::string& method, const std::string& target, bool& scripted) {
    std::lock_guard guard(mutex);
    request_lines.push_back(method + " " + target);
    for (FaultRule& rule : rules) {
      if (rule.times == 0) continue;
      if (!rule.method.empty() && rule.method != method) continue;
      if (target.find(rule.target_contains) == std::string::npos) continue;
      if (rule.times > 0) --rule.times;
      scripted = true;
      return rule.fault;
    }
    scripted = false;
    if (probability <= 0 || options.random_faults.empty()) return Fault::None;
    if (std::uniform_real_distribution<double>(0, 1)(random) >= probability) return Fault::None;
    // A lost answer to a POST may have been acted on (CompleteMultipartUpload cannot be
    // repeated), so body faults go to GETs only; the others get an answer from the proxy.
    std::vector<Fault> candidates;
    for (Fault fault : options.random_faults) {
      if (method == "GET" || answered_by_proxy(fault)) candidates.push_back(fault);
    }
    if (candidates.empty()) return Fault::None;
    return candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(random)];
  }

  std::size_t random_index(std::size_t size) {
    std::lock_guard guard(mutex);
    return std::uniform_int_distribution<std::size_t>(0, size - 1)(random);
  }

  void count(Fault fault) { ++fault_counts[static_cast<std::size_t>(fault)]; }

  void serve(int fd) {
    {
      Connection client(fd);
      try {
        serve_requests(client);
      } catch (const std::exception&) {
        // A malformed length from either side: drop the connection, keep the proxy running.
      }
      // The socket is forgotten before it closes, so the destructor never shuts down a reused
      // descriptor.
      std::lock_guard guard(mutex);
      std::erase(open_fds, fd);
    }
  }

  void serve_requests(Connection& client) {
    while (!stopping && Clock::now() < deadline) {
      std::string raw_head;
      std::optional<Head> request = client.read_head(raw_head);
      if (!request) break;
      if (++request_count > options.max_requests) break;
      std::string method = request->start_line.substr(0, request->start_line.find(' '));
      std::size_t target_start = request->start_line.find(' ') + 1;
      std::string target =
          request->start_line.substr(target_start, request->start_line.rfind(' ') - target_start);
      std::string body;
      std::uint64_t length = std::stoull(request->get("content-length").value_or("0"));
      if (request->get("transfer-encoding") || !client.read_exact(length, body)) break;

      bool scripted = false;
      Fault fault = choose(method, target, scripted);
      if (std::optional<std::string> answer = error_answer(fault)) {
        count(fault);
        if (!client.send_all(*answer)) break;
        continue;
      }
      if (fault == Fault::ResetBeforeResponse) {
        count(fault);
        client.reset();
        break;
      }
      if (fault == Fault::FlipRequestByte && !body.empty()) {
        count(fault);
        body[random_index(body.size())] ^= 0x20;
        fault = Fault::None;
      }
      std::string response_head, response_body;
      if (!forward(raw_head + body, method == "HEAD", response_head, response_body, fault,
                   scripted)) {
        client.reset();
        break;
      }
      if (!deliver(client, response_head, response_body, fault)) break;
    }
  }

  // Sends the request upstream and builds the answer for the client (the body de-chunked).
  // Applies the faults that change the answer; deliver() applies the ones in its delivery.
  bool forward(const std::string& request, bool head_request, std::string& response_head,
               std::string& body, Fault& fault, bool scripted) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    Connection upstream(fd);
    set_timeout(fd, options.io_timeout);
    sockaddr_in address = loopback(options.upstream_port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return false;
    if (!upstream.send_all(request)) return false;
    std::string raw;
    std::optional<Head> head = upstream.read_head(raw);
    if (!head) return false;
    int status = std::atoi(head->start_line.substr(9, 3).c_str());
    body.clear();
    bool no_body = head_request || status == 204 || status == 304 || status < 200;
    if (no_body) {
    } else if (auto length = head->get("content-length")) {
      if (!upstream.read_exact(std::stoull(*length), body)) return false;
    } else if (lower(head->get("transfer-encoding").value_or("")).find("chunked") !=
               std::string::npos) {
      while (true) {
        std::string size_line;
        if (!upstream.read_line(size_line)) return false;
        std::size_t size = std::stoull(size_line, nullptr, 16);
        if (size == 0) break;
        if (!upstream.read_exact(size + 2, body)) return false;
        body.resize(body.size() - 2);
      }
      std::string trailer;
      do {
        if (!upstream.read_line(trailer)) return false;
      } while (!trailer.empty());
    } else {
      upstream.read_to_end(body);
    }
    head->remove("transfer-encoding");
    head->remove("connection");
    if (!no_body) {
      head->remove("content-length");
      head->headers.emplace_back("Content-Length", std::to_string(body.size()));
    }

    if (fault != Fault::None && !scripted) fault = applicable(fault, *head, status, body);
    if (fault == Fault::ShortBody && !body.empty()) {
      body.resize(body.size() / 2);
      head->remove("content-length");
      head->headers.emplace_back("Content-Length", std::to_string(body.size()));
    }
    if (fault == Fault::FlipByte && !body.empty()) body[random_index(body.size())] ^= 0x20;
    response_head = head->serialize();
    return true;
  }

  // A random fault the client can notice for this answer; the fallback is a truncated body.
  static Fault applicable(Fault fault, const Head& head, int status, const std::string& body) {
    if (answered_by_proxy(fault)) return fault;
    if (status < 200 || status >= 300 || body.empty()) return Fault::None;
    std::string etag = head.get("etag").value_or("");
    bool single_part = !etag.empty() && etag.find('-') == std::string::npos;
    if (fault == Fault::FlipByte && !(status == 200 && single_part)) return Fault::TruncateBody;
    if (fault == Fault::ShortBody && !(status == 206 || single_part)) return Fault::TruncateBody;
    return fault;
  }

  bool deliver(Connection& client, const std::string& head, const std::string& body, Fault fault) {
    if (fault != Fault::None) count(fault);
    std::string response = head + body;
    std::size_t half = head.size() + body.size() / 2;
    switch (fault) {
      case Fault::ResetMidBody:
        client.send_all(std::string_view(response).substr(0, half));
        client.reset();
        return false;
      case Fault::TruncateBody:
        client.send_all(std::string_view(response).substr(0, half));
        ::shutdown(client.fd(), SHUT_WR);
        return false;
      case Fault::Stall: {
        if (!client.send_all(std::string_view(response).substr(0, half))) return false;
        auto until = Clock::now() + options.stall;
        while (!stopping && Clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return client.send_all(std::string_view(response).substr(half));
      }
      default:
        return client.send_all(response);
    }
  }
};

FaultProxy::FaultProxy(FaultProxyOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.upstream_port <= 0) throw std::runtime_error("FaultProxy needs an upstream port");
  impl_->options = std::move(options);
  impl_->probability = impl_->options.fault_probability;
  impl_->random.seed(impl_->options.seed);
  impl_->deadline = Clock::now() + impl_->options.max_lifetime;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("FaultProxy: socket() failed");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address = loopback(impl_->options.listen_port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("FaultProxy: cannot listen on 127.0.0.1:" +
                             std::to_string(impl_->options.listen_port));
  }
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  impl_->listen_fd = fd;
  impl_->port = ntohs(address.sin_port);
  impl_->acceptor = std::thread([impl = impl_.get()] { impl->accept_loop(); });
}

FaultProxy::~FaultProxy() {
  impl_->stopping = true;
  impl_->acceptor.join();
  ::close(impl_->listen_fd);
  std::vector<std::thread> workers;
  {
    std::lock_guard guard(impl_->mutex);
    for (int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);
    workers.swap(impl_->workers);
  }
  for (std::thread& worker : workers) worker.join();
}

int FaultProxy::port() const { return impl_->port; }

std::string FaultProxy::endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }

void FaultProxy::add_rule(FaultRule rule) {
  std::lock_guard guard(impl_->mutex);
  impl_->rules.push_back(std::move(rule));
}

void FaultProxy::clear_rules() {
  std::lock_guard guard(impl_->mutex);
  impl_->rules.clear();
}

void FaultProxy::set_fault_probability(double probability) {
  std::lock_guard guard(impl_->mutex);
  impl_->probability = probability;
}

std::uint64_t FaultProxy::requests() const { return impl_->request_count; }

std::uint64_t FaultProxy::faults() const {
  std::uint64_t total = 0;
  for (const auto& count : impl_->fault_counts) total += count;
  return total;
}

std::uint64_t FaultProxy::faults(Fault fault) const {
  return impl_->fault_counts[static_cast<std::size_t>(fault)];
}

std::uint64_t FaultProxy::matching_requests(const std::string& method,
                                            const std::string& target_contains) const {
  std::lock_guard guard(impl_->mutex);
  return static_cast<std::uint64_t>(std::count_if(
      impl_->request_lines.begin(), impl_->request_lines.end(), [&](const std::string& line) {
        return (method.empty() || line.starts_with(method + " ")) &&
               line.find(target_contains) != std::string::npos;
      }));
}

}  // namespace ndbucket::testing
