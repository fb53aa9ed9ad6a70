// End-to-end checks of a GET's answer before S3Store hands its bytes out: the body must be as
// long as the headers say, a partial answer must be the range asked for, and a whole single-part
// object must hash to its ETag. A failed check is treated like a transient fault (the GET is
// retried) and, once retries run out, raised as Corrupt: bad bytes are never returned.
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/store/object_store.hpp"
#include "store/s3/http_client.hpp"

namespace ndbucket::s3 {

// The MD5 (lower-case hex) a whole-object GET can be checked against: the ETag of an object
// uploaded in one request without KMS or customer-key encryption, whose ETag is the MD5 of its
// bytes. nullopt for multipart ("...-N") and encrypted objects, whose ETags are not.
std::optional<std::string> md5_from_etag(const HttpResponse& response);

// Why the 2xx answer to a GET (of `requested`, nullopt for the whole object) cannot be trusted,
// or "" when it can. `body` holds the bytes received (response.body or the caller's buffer).
// Checks: Content-Length equals the bytes received; a 206 carries a Content-Range that starts
// where asked, spans the bytes received and stays within the object; a 200 of a single-part
// object has the MD5 of its ETag.
std::string check_download(const HttpResponse& response, ByteSpan body,
                           const std::optional<ByteRange>& requested);

}  // namespace ndbucket::s3
