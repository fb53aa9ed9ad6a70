// AWS Signature Version 4 for S3, as pure functions: no network, no clock, no environment.
//
// The HTTP layer describes the request it is about to send (SigningRequest), passes the time it
// read from its own clock, and gets back the headers to add (sign_request) or a complete
// presigned URL (presign_url). Because the clock is a parameter, the same inputs always give the
// same signature, which is what lets the tests check against AWS's published examples and
// against botocore.
//
// What is signed must be exactly what is sent. Two rules follow for callers:
// - Build the URL's path with uri_encode(path, /*encode_slash=*/false) and its query with
//   query_string(query), and pass the same path and query here.
// - Send every header passed in SigningRequest::headers, plus every header in
//   SignedHeaders::headers_to_add, and no other header the server might sign-check (S3 only
//   checks the ones listed in SignedHeaders=, so transport headers such as Content-Length,
//   User-Agent or Expect may be added freely as long as they are not passed here).
//
// S3 specifics honoured here (they differ from SigV4 for other AWS services): the path is not
// normalized ("//", "." and ".." reach the canonical request as they are, because they are part
// of S3 keys), it is URI-encoded once (not twice), and the payload hash is always sent in
// x-amz-content-sha256.
//
// Errors: every function throws ndbucket::Error(InvalidArgument) for unusable input, with a
// message naming the field; messages never contain the secret key, the session token, or the
// signature. OpenSSL failures surface as described in hashing.hpp.
// Thread safety: every function is pure and safe to call concurrently.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ndbucket::s3 {

// The x-amz-content-sha256 value that tells S3 the body is not covered by the signature (the
// body is still protected by TLS and, for uploads, by Content-MD5 or a checksum header).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// The SHA-256 of an empty body: the payload hash of GET, HEAD and DELETE requests.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// The longest lifetime S3 accepts for a SigV4 presigned URL: seven days.
inline constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};

// Name/value pairs, in the order the caller gave them. Used for query parameters (decoded
// values) and for headers.
using NameValueList = std::vector<std::pair<std::string, std::string>>;

// An access key pair, optionally with the session token of temporary (STS) credentials.
// Deliberately has no operator<< and is never formatted into a message: the secret and the
// token must not reach logs.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

// The parts of an HTTP request that SigV4 covers.
struct SigningRequest {
  // Upper-case HTTP method: "GET", "PUT", "HEAD", "DELETE", "POST".
  std::string method;
  // The Host header as sent: "bucket.s3.us-east-1.amazonaws.com", or "127.0.0.1:9000" when the
  // port is not the scheme's default (servers compare against the Host header they received).
  std::string host;
  // The path as sent, already URI-encoded: uri_encode("/bucket/my key", false) gives
  // "/bucket/my%20key". Must start with '/' and contain only unreserved characters, '/' and
  // %XX escapes with upper-case hex digits.
  std::string path = "/";
  // Decoded query parameters; repeated names are allowed, order does not matter, an empty
  // value is a bare subresource such as "uploads" or "lifecycle".
  NameValueList query;
  // Headers that will be sent and must be signed (Range, Content-MD5, Content-Type,
  // x-amz-meta-*, x-amz-storage-class ...), names in any case. A name given twice is signed as
  // one header whose values are joined by ',' in the order given, which is how HTTP combines
  // repeated headers. Host, Authorization, x-amz-date, x-amz-content-sha256 and
  // x-amz-security-token are the signer's own and are rejected here.
  NameValueList headers;
  // Lower-case hex SHA-256 of the body (sha256_hex in hashing.hpp), or kUnsignedPayload. The
  // default is the hash of an empty body. Ignored by presign_url.
  std::string payload_hash{kEmptyPayloadSha256};
};

// The result of sign_request.
struct SignedHeaders {
  // Headers the caller must add to the request, in this order: x-amz-date,
  // x-amz-content-sha256, x-amz-security-token (only with a session token), Authorization.
  NameValueList headers_to_add;
  // The intermediate strings of the SigV4 algorithm, for tests and for debugging a
  // SignatureDoesNotMatch (S3 returns its own canonical request in the error body). The
  // canonical request holds the signed header values, the session token and any SSE-C key
  // among them: never log it outside a debugging session.
  std::string canonical_request;
  std::string string_to_sign;
  // The hex signature, also found at the end of the Authorization value.
  std::string signature;
};

// URI-encodes `text` the way SigV4 requires: the unreserved characters A-Z a-z 0-9 - _ . ~ are
// kept, every other byte becomes %XX with upper-case hex (so UTF-8 is encoded byte by byte and
// a space is %20, never '+'). '/' is kept when `encode_slash` is false (paths) and becomes %2F
// when true (query names and values). Never fails.
std::string uri_encode(std::string_view text, bool encode_slash);

// The canonical query string of `query`: each name and value uri_encode'd with '/' encoded,
// joined as "name=value" (an empty value gives "name="), sorted by encoded name and then by
// encoded value, separated by '&'. Empty for an empty list. The HTTP layer sends exactly this
// string after '?' so that the signed query and the sent query agree byte for byte. Never fails.
std::string query_string(const NameValueList& query);

// Signs `request` for the Authorization header scheme.
// `region` is the signing region ("us-east-1"; S3-compatible servers usually accept
// "us-east-1"), `now` the current time (truncated to whole seconds), `service` "s3".
// Throws InvalidArgument when the method, host, path, a header, the payload hash, the
// credentials, the region or the service is unusable.
SignedHeaders sign_request(const SigningRequest& request, const Credentials& credentials,
                           std::string_view region, std::chrono::system_clock::time_point now,
                           std::string_view service = "s3");

// A presigned URL for `request` (query-string authentication): anyone holding it can perform
// `request.method` on `request.path` until `now + expires`, without credentials.
// Returns "<scheme>://<host><path>?<canonical query>&X-Amz-Signature=<hex>", where the
// canonical query holds the request's own parameters plus X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and, with a session token,
// X-Amz-Security-Token. The payload is always UNSIGNED-PAYLOAD (the body is unknown when the
// URL is made), so request.payload_hash is ignored; request.headers are signed and whoever uses
// the URL must send them with the same values (e.g. a Content-Type for a presigned PUT).
// Throws InvalidArgument for the cases of sign_request, for a scheme other than "http" or
// "https", for `expires` outside 1 s .. kMaxPresignExpiry, and for query parameters that
// collide with the X-Amz-* authentication parameters.
std::string presign_url(std::string_view scheme, const SigningRequest& request,
                        const Credentials& credentials, std::string_view region,
                        std::chrono::system_clock::time_point now, std::chrono::seconds expires,
                        std::string_view service = "s3");

}  // namespace ndbucket::s3
