#include "store/s3/download_check.hpp"

#include <algorithm>
#include <charconv>

#include "store/s3/hashing.hpp"

namespace ndbucket::s3 {

namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

struct ContentRange {
  std::uint64_t first = 0, last = 0, total = 0;
};

// "bytes FIRST-LAST/TOTAL"
std::optional<ContentRange> parse_content_range(std::string_view text) {
  if (!text.starts_with("bytes ")) return std::nullopt;
  text.remove_prefix(6);
  std::size_t dash = text.find('-'), slash = text.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  auto first = parse_number(text.substr(0, dash));
  auto last = parse_number(text.substr(dash + 1, slash - dash - 1));
  auto total = parse_number(text.substr(slash + 1));
  if (!first || !last || !total || *last < *first || *last >= *total) return std::nullopt;
  return ContentRange{*first, *last, *total};
}

}  // namespace

std::optional<std::string> md5_from_etag(const HttpResponse& response) {
  // Objects encrypted with KMS keys or customer keys have ETags that are not their MD5.
  std::string sse = response.header("x-amz-server-side-encryption").value_or("");
  if (sse.starts_with("aws:kms") ||
      response.header("x-amz-server-side-encryption-customer-algorithm")) {
    return std::nullopt;
  }
  std::string etag = response.header("etag").value_or("");
  if (etag.size() == 34 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, 32);
  }
  if (etag.size() != 32) return std::nullopt;
  for (char& c : etag) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return etag;
}

std::string check_download(const HttpResponse& response, ByteSpan body,
                           const std::optional<ByteRange>& requested) {
  std::string received = std::to_string(body.size()) + " bytes";
  if (auto length = response.header("content-length")) {
    auto expected = parse_number(*length);
    if (!expected) return "unreadable Content-Length '" + *length + "'";
    if (*expected != body.size()) {
      return "body truncated: Content-Length " + *length + " but " + received + " received";
    }
  }
  if (response.status == 206) {
    std::string header = response.header("content-range").value_or("");
    auto range = parse_content_range(header);
    if (!range) return "partial answer with an unreadable Content-Range '" + header + "'";
    if (range->last - range->first + 1 != body.size()) {
      return "body truncated: Content-Range '" + header + "' but " + received + " received";
    }
    if (requested && !requested->suffix) {
      std::uint64_t want_last = range->total - 1;
      if (requested->length)
        want_last = std::min(want_last, requested->offset + *requested->length - 1);
      if (range->first != requested->offset || range->last != want_last) {
        return "Content-Range '" + header + "' is not the range asked for";
      }
    }
    if (requested && requested->suffix &&
        range->last - range->first + 1 != std::min(*requested->suffix, range->total)) {
      return "Content-Range '" + header + "' is not the suffix asked for";
    }
    return "";
  }
  if (response.status == 200) {
    if (auto md5 = md5_from_etag(response)) {
      std::string actual = md5_hex(body);
      if (actual != *md5) {
        return "body does not match its ETag: MD5 " + actual + " expected " + *md5;
      }
    }
  }
  return "";
}

}  // namespace ndbucket::s3
