#include "store/s3/s3_errors.hpp"

#include "store/s3/xml.hpp"

namespace ndbucket::s3 {

std::optional<S3ErrorInfo> parse_s3_error(ByteSpan body) {
  std::string_view text = as_string_view(body);
  if (text.find("<Error") == std::string_view::npos) return std::nullopt;
  try {
    XmlElement root = parse_xml(text, "an S3 error response");
    if (root.name != "Error") return std::nullopt;
    return S3ErrorInfo{root.child_text("Code"), root.child_text("Message"),
                       root.child_text("RequestId")};
  } catch (const Error&) {
    return std::nullopt;
  }
}

ErrorCode error_code_for(long status, std::string_view code) {
  if (code == "NoSuchKey" || code == "NoSuchBucket" || code == "NoSuchUpload" ||
      code == "NoSuchVersion") {
    return ErrorCode::NotFound;
  }
  if (code == "AccessDenied" || code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" ||
      code == "AllAccessDisabled" || code == "ExpiredToken" || code == "InvalidToken" ||
      code == "RequestTimeTooSkewed" || code == "AccountProblem") {
    return ErrorCode::PermissionDenied;
  }
  if (code == "BucketAlreadyExists" || code == "BucketAlreadyOwnedByYou" ||
      code == "BucketNotEmpty") {
    return ErrorCode::AlreadyExists;
  }
  if (code == "BadDigest" || code == "InvalidDigest" || code == "XAmzContentSHA256Mismatch" ||
      code == "IncompleteBody") {
    return ErrorCode::Corrupt;
  }
  if (code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable" ||
      code == "RequestTimeout") {
    return ErrorCode::Unavailable;
  }
  if (code == "NotImplemented") return ErrorCode::Unsupported;
  if (!code.empty() && status == 400) return ErrorCode::InvalidArgument;
  switch (status) {
    case 404:
      return ErrorCode::NotFound;
    case 401:
    case 403:
      return ErrorCode::PermissionDenied;
    case 409:
      return ErrorCode::AlreadyExists;
    case 400:
    case 405:
    case 411:
    case 413:
    case 416:
      return ErrorCode::InvalidArgument;
    case 501:
      return ErrorCode::Unsupported;
    default:
      return status >= 500 || status == 429 ? ErrorCode::Unavailable : ErrorCode::Io;
  }
}

Error error_from_response(const HttpResponse& response, std::string_view what) {
  std::optional<S3ErrorInfo> info = parse_s3_error(response.body);
  std::string code = info ? info->code : "";
  std::string message = std::string(what) + ": S3 error " + (code.empty() ? "" : code + " ") +
                        "(HTTP " + std::to_string(response.status);
  std::string request_id = info && !info->request_id.empty()
                               ? info->request_id
                               : response.header("x-amz-request-id").value_or("");
  if (!request_id.empty()) message += ", request id " + request_id;
  message += ")";
  if (info && !info->message.empty()) message += ": " + info->message;
  return Error(error_code_for(response.status, code), message);
}

bool is_retryable(const HttpResponse& response, bool ok_may_hold_error) {
  switch (response.status) {
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      break;
  }
  if (response.status == 400 || (ok_may_hold_error && response.status == 200)) {
    auto info = parse_s3_error(response.body);
    return info && error_code_for(400, info->code) == ErrorCode::Unavailable;
  }
  return false;
}

}  // namespace ndbucket::s3
