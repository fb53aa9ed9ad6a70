// S3's error responses mapped to ndbucket errors, in one place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ndbucket/core/error.hpp"
#include "store/s3/http_client.hpp"

namespace ndbucket::s3 {

// The fields of an S3 <Error> document that are safe to show: never the string-to-sign or any
// other echo of the request.
struct S3ErrorInfo {
  std::string code;  // "NoSuchKey", "SignatureDoesNotMatch" ...
  std::string message;
  std::string request_id;
};

// The <Error> document in a body, or nullopt when the body is not one (empty, HEAD, not XML).
std::optional<S3ErrorInfo> parse_s3_error(ByteSpan body);

// The ErrorCode for an S3 error code (or, without one, for the HTTP status).
ErrorCode error_code_for(long status, std::string_view s3_code);

// An Error for a failed response: "<what>: S3 error <Code> (HTTP <status>, request id <id>):
// <Message>". `what` names the bucket or object URL.
Error error_from_response(const HttpResponse& response, std::string_view what);

// True for answers worth retrying: 500, 502, 503, 504, 429 and RequestTimeout / SlowDown codes.
// With `ok_may_hold_error` (CompleteMultipartUpload, CopyObject, UploadPartCopy: S3 may answer
// 200 and put the error in the body) also a 200 whose body is such a transient <Error>.
bool is_retryable(const HttpResponse& response, bool ok_may_hold_error = false);

}  // namespace ndbucket::s3
