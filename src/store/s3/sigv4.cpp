#include "sigv4.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "hashing.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::InvalidArgument, "SigV4: " + message);
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool is_upper_hex(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool is_lower_hex(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), to_lower_ascii);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return to_lower_ascii(x) == to_lower_ascii(y);
         });
}

// RFC 9110 token characters: what a header name may be made of.
bool is_token_char(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= 'a' && c <= 'z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Characters that would split a header line or a scope field, or be mangled by an HTTP client.
// A tab is legal inside a header value (RFC 9110 field-content), nowhere else here.
bool has_control(std::string_view text, bool allow_tab = false) {
  return std::any_of(text.begin(), text.end(), [allow_tab](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && !(allow_tab && c == '\t')) || u == 0x7F;
  });
}

// A field of the credential scope ("<key>/<date>/<region>/<service>/aws4_request"): a '/' or a
// space would shift the fields the server parses out of it.
void check_scope_field(std::string_view value, const char* what) {
  if (value.empty()) invalid(std::string(what) + " is empty");
  if (has_control(value) || value.find_first_of("/ ,=") != std::string_view::npos) {
    invalid(std::string(what) + " contains '/', ',', '=', a space or a control character");
  }
}

void check_credentials(const Credentials& credentials) {
  // Never echo the values: the access key ID is semi-public but the rest is not, and a message
  // that shows one invites showing the others.
  check_scope_field(credentials.access_key_id, "the access key ID");
  if (credentials.secret_access_key.empty()) invalid("the secret access key is empty");
  if (has_control(credentials.session_token)) {
    invalid("the session token contains a control character");
  }
}

void check_method(std::string_view method) {
  if (method.empty() ||
      !std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    invalid("the HTTP method '" + std::string(method) + "' is not an upper-case token");
  }
}

void check_host(std::string_view host) {
  if (host.empty()) invalid("the host is empty");
  if (has_control(host) || host.find_first_of(" /?#@") != std::string_view::npos) {
    invalid("the host '" + std::string(host) + "' is not a host[:port]");
  }
}

// The signer cannot encode the path itself: it does not know whether a '%' in it is an escape
// or part of a key. So it insists on the already-encoded form and rejects anything else, which
// catches a caller that forgot to encode before the server answers SignatureDoesNotMatch.
void check_path(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    invalid("the path '" + std::string(path) + "' does not start with '/'");
  }
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto c = static_cast<unsigned char>(path[i]);
    if (is_unreserved(c) || c == '/') continue;
    if (c == '%' && i + 2 < path.size() && is_upper_hex(static_cast<unsigned char>(path[i + 1])) &&
        is_upper_hex(static_cast<unsigned char>(path[i + 2]))) {
      i += 2;
      continue;
    }
    invalid("the path '" + std::string(path) +
            "' is not URI-encoded (encode it with uri_encode(path, false))");
  }
}

void check_payload_hash(std::string_view hash) {
  if (hash == kUnsignedPayload) return;
  if (hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
        return is_lower_hex(static_cast<unsigned char>(c));
      })) {
    return;
  }
  invalid("the payload hash '" + std::string(hash) +
          "' is neither a lower-case hex SHA-256 nor UNSIGNED-PAYLOAD");
}

bool is_signer_header(std::string_view lower_name) {
  return lower_name == "host" || lower_name == "authorization" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-content-sha256" || lower_name == "x-amz-security-token";
}

// SigV4's Trimall: no leading or trailing blanks, inner runs of blanks collapsed to one space.
// Tabs count as blanks, as they do for botocore and for the servers' own canonicalization.
std::string trim_all(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Canonical headers keyed by lower-case name; std::map's byte order is the order SigV4 sorts in.
using HeaderMap = std::map<std::string, std::string>;

void add_header(HeaderMap& headers, std::string name, std::string_view value) {
  std::string trimmed = trim_all(value);
  auto [it, inserted] = headers.try_emplace(std::move(name), trimmed);
  if (!inserted) {
    it->second += ',';
    it->second += trimmed;
  }
}

HeaderMap caller_headers(const NameValueList& headers) {
  HeaderMap out;
  for (const auto& [name, value] : headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return is_token_char(static_cast<unsigned char>(c));
        })) {
      invalid("the header name '" + name + "' is not an HTTP token");
    }
    std::string lower_name = lower(name);
    if (is_signer_header(lower_name)) {
      invalid("the header '" + name + "' is set by the signer and must not be passed in");
    }
    // A CR or LF would let a value smuggle in another header line; other controls are
    // rejected by servers anyway. Values are not echoed: they may carry customer keys (SSE-C).
    if (has_control(value, /*allow_tab=*/true))
      invalid("the value of header '" + name + "' contains a control character");
    add_header(out, std::move(lower_name), value);
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" lines
  std::string signed_names;  // "name;name"
};

CanonicalHeaders canonicalize(const HeaderMap& headers) {
  CanonicalHeaders out;
  for (const auto& [name, value] : headers) {
    out.block += name;
    out.block += ':';
    out.block += value;
    out.block += '\n';
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
  }
  return out;
}

struct Timestamp {
  std::string date_time;  // "20130524T000000Z"
  std::string date;       // "20130524"
};

Timestamp format_time(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  auto seconds_now = floor<seconds>(now);
  auto day = floor<days>(seconds_now);
  year_month_day ymd{day};
  hh_mm_ss<seconds> time{seconds_now - day};
  // system_clock's range (years 1677-2262 with nanosecond ticks) keeps this within 4 digits.
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  Timestamp out;
  out.date_time = buffer;
  out.date = out.date_time.substr(0, 8);
  return out;
}

std::string credential_scope(const Timestamp& time, std::string_view region,
                             std::string_view service) {
  std::string scope = time.date;
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += "/aws4_request";
  return scope;
}

std::string build_canonical_request(std::string_view method, std::string_view path,
                                    std::string_view canonical_query,
                                    const CanonicalHeaders& headers,
                                    std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + path.size() + canonical_query.size() + headers.block.size() +
              headers.signed_names.size() + payload_hash.size() + 8);
  out += method;
  out += '\n';
  out += path;
  out += '\n';
  out += canonical_query;
  out += '\n';
  out += headers.block;  // each line already ends in '\n', so the block ends in a blank line
  out += '\n';
  out += headers.signed_names;
  out += '\n';
  out += payload_hash;
  return out;
}

std::string build_string_to_sign(const Timestamp& time, std::string_view scope,
                                 std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += time.date_time;
  out += '\n';
  out += scope;
  out += '\n';
  out += sha256_hex(canonical_request);
  return out;
}

// HMAC chain of the SigV4 signing key. Every intermediate key is wiped: they are as good as the
// secret for the day, region and service they cover.
std::string compute_signature(const Credentials& credentials, const Timestamp& time,
                              std::string_view region, std::string_view service,
                              std::string_view string_to_sign) {
  std::string secret = "AWS4" + credentials.secret_access_key;
  Sha256Digest key = hmac_sha256(as_bytes(secret), as_bytes(time.date));
  secure_wipe(secret);
  for (std::string_view part : {region, service, std::string_view("aws4_request")}) {
    Sha256Digest next = hmac_sha256(key, as_bytes(part));
    secure_wipe(key);
    key = next;
    secure_wipe(next);
  }
  Sha256Digest signature = hmac_sha256(key, as_bytes(string_to_sign));
  secure_wipe(key);
  return to_hex(signature);
}

void check_common(const SigningRequest& request, const Credentials& credentials,
                  std::string_view region, std::string_view service) {
  check_credentials(credentials);
  check_scope_field(region, "the region");
  check_scope_field(service, "the service");
  check_method(request.method);
  check_host(request.host);
  check_path(request.path);
}

}  // namespace

std::string uri_encode(std::string_view text, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string query_string(const NameValueList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
  }
  // Sorting the encoded forms (not the decoded ones) is what SigV4 specifies; the two orders
  // differ, e.g. for "a b" (%20 sorts before letters) and "a~".
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

SignedHeaders sign_request(const SigningRequest& request, const Credentials& credentials,
                           std::string_view region, std::chrono::system_clock::time_point now,
                           std::string_view service) {
  check_common(request, credentials, region, service);
  check_payload_hash(request.payload_hash);
  Timestamp time = format_time(now);

  HeaderMap headers = caller_headers(request.headers);
  headers.emplace("host", request.host);
  headers.emplace("x-amz-date", time.date_time);
  // S3 requires x-amz-content-sha256 on every SigV4 request, and signing it means a proxy cannot
  // swap an UNSIGNED-PAYLOAD marker in.
  headers.emplace("x-amz-content-sha256", request.payload_hash);
  if (!credentials.session_token.empty()) {
    headers.emplace("x-amz-security-token", credentials.session_token);
  }
  CanonicalHeaders canonical = canonicalize(headers);

  SignedHeaders out;
  std::string scope = credential_scope(time, region, service);
  out.canonical_request = build_canonical_request(
      request.method, request.path, query_string(request.query), canonical, request.payload_hash);
  out.string_to_sign = build_string_to_sign(time, scope, out.canonical_request);
  out.signature = compute_signature(credentials, time, region, service, out.string_to_sign);

  // ", " between the fields, as every AWS SDK sends it; servers accept "," too.
  std::string authorization(kAlgorithm);
  authorization += " Credential=" + credentials.access_key_id + '/' + scope;
  authorization += ", SignedHeaders=" + canonical.signed_names;
  authorization += ", Signature=" + out.signature;

  out.headers_to_add.emplace_back("x-amz-date", time.date_time);
  out.headers_to_add.emplace_back("x-amz-content-sha256", request.payload_hash);
  if (!credentials.session_token.empty()) {
    out.headers_to_add.emplace_back("x-amz-security-token", credentials.session_token);
  }
  out.headers_to_add.emplace_back("Authorization", std::move(authorization));
  return out;
}

std::string presign_url(std::string_view scheme, const SigningRequest& request,
                        const Credentials& credentials, std::string_view region,
                        std::chrono::system_clock::time_point now, std::chrono::seconds expires,
                        std::string_view service) {
  if (scheme != "http" && scheme != "https") {
    invalid("the scheme '" + std::string(scheme) + "' is neither http nor https");
  }
  check_common(request, credentials, region, service);
  if (expires < std::chrono::seconds(1) || expires > kMaxPresignExpiry) {
    invalid("a presigned URL must expire after 1 to 604800 seconds, not " +
            std::to_string(expires.count()));
  }
  for (const auto& [name, value] : request.query) {
    // Only the reserved authentication names collide; other X-Amz-* parameters (e.g.
    // x-amz-checksum-mode) are ordinary signed parameters.
    for (std::string_view reserved :
         {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
          "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"}) {
      if (iequals(name, reserved)) {
        invalid("the query parameter '" + name + "' is reserved for the presigned URL's signature");
      }
    }
  }
  Timestamp time = format_time(now);

  HeaderMap headers = caller_headers(request.headers);
  headers.emplace("host", request.host);
  CanonicalHeaders canonical = canonicalize(headers);

  std::string scope = credential_scope(time, region, service);
  NameValueList query = request.query;
  query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  query.emplace_back("X-Amz-Credential", credentials.access_key_id + '/' + scope);
  query.emplace_back("X-Amz-Date", time.date_time);
  query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  query.emplace_back("X-Amz-SignedHeaders", canonical.signed_names);
  if (!credentials.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  std::string canonical_query = query_string(query);

  std::string canonical_request = build_canonical_request(
      request.method, request.path, canonical_query, canonical, kUnsignedPayload);
  std::string string_to_sign = build_string_to_sign(time, scope, canonical_request);
  std::string signature = compute_signature(credentials, time, region, service, string_to_sign);

  std::string url(scheme);
  url += "://";
  url += request.host;
  url += request.path;
  url += '?';
  url += canonical_query;
  url += "&X-Amz-Signature=";
  url += signature;
  return url;
}

}  // namespace ndbucket::s3
