// The checks S3Store applies to every GET answer before returning its bytes.
#include "store/s3/download_check.hpp"

#include <gtest/gtest.h>

#include "store/s3/hashing.hpp"

namespace ndbucket::s3 {
namespace {

HttpResponse answer(long status, HeaderList headers) {
  HttpResponse response;
  response.status = status;
  response.headers = std::move(headers);
  return response;
}

const std::string kBody = "hello, world";
std::string quoted_md5() { return "\"" + md5_hex(as_bytes(kBody)) + "\""; }

TEST(DownloadCheck, AcceptsAWholeObjectMatchingItsEtag) {
  auto response = answer(200, {{"content-length", "12"}, {"etag", quoted_md5()}});
  EXPECT_EQ(check_download(response, as_bytes(kBody), std::nullopt), "");
}

TEST(DownloadCheck, RejectsAFlippedByte) {
  std::string flipped = kBody;
  flipped[3] ^= 0x20;
  auto response = answer(200, {{"content-length", "12"}, {"etag", quoted_md5()}});
  EXPECT_NE(check_download(response, as_bytes(flipped), std::nullopt).find("ETag"),
            std::string::npos);
}

TEST(DownloadCheck, RejectsABodyShorterThanItsContentLength) {
  auto response = answer(200, {{"content-length", "12"}});
  EXPECT_NE(check_download(response, as_bytes(kBody.substr(0, 6)), std::nullopt), "");
}

TEST(DownloadCheck, RejectsAShortBodyWithARewrittenLengthThroughItsEtag) {
  auto response = answer(200, {{"content-length", "6"}, {"etag", quoted_md5()}});
  EXPECT_NE(check_download(response, as_bytes(kBody.substr(0, 6)), std::nullopt), "");
}

TEST(DownloadCheck, SkipsTheMd5OfMultipartAndKmsObjects) {
  std::string wrong = "xxxxxxxxxxxx";
  EXPECT_EQ(check_download(answer(200, {{"etag", "\"0123456789abcdef0123456789abcdef-2\""}}),
                           as_bytes(wrong), std::nullopt),
            "");
  EXPECT_EQ(check_download(
                answer(200, {{"etag", quoted_md5()}, {"x-amz-server-side-encryption", "aws:kms"}}),
                as_bytes(wrong), std::nullopt),
            "");
  EXPECT_EQ(
      check_download(answer(200, {{"etag", quoted_md5()},
                                  {"x-amz-server-side-encryption-customer-algorithm", "AES256"}}),
                     as_bytes(wrong), std::nullopt),
      "");
}

TEST(DownloadCheck, ChecksAPartialAnswerAgainstTheRangeAskedFor) {
  std::string part = kBody.substr(2, 4);
  auto ok = answer(206, {{"content-length", "4"}, {"content-range", "bytes 2-5/12"}});
  EXPECT_EQ(check_download(ok, as_bytes(part), ByteRange::span(2, 4)), "");
  // Ranges past the end are cut at the object's end.
  EXPECT_EQ(check_download(answer(206, {{"content-range", "bytes 8-11/12"}}),
                           as_bytes(kBody.substr(8)), ByteRange::span(8, 100)),
            "");
  EXPECT_EQ(check_download(answer(206, {{"content-range", "bytes 8-11/12"}}),
                           as_bytes(kBody.substr(8)), ByteRange::last(4)),
            "");
  // Fewer bytes than the Content-Range promises, with a Content-Length rewritten to match.
  auto shorter = answer(206, {{"content-length", "2"}, {"content-range", "bytes 2-5/12"}});
  EXPECT_NE(check_download(shorter, as_bytes(part.substr(0, 2)), ByteRange::span(2, 4)), "");
  // Another range than the one asked for.
  auto other = answer(206, {{"content-range", "bytes 3-6/12"}});
  EXPECT_NE(check_download(other, as_bytes(part), ByteRange::span(2, 4)), "");
  EXPECT_NE(check_download(answer(206, {{"content-range", "bytes 6-11/12"}}),
                           as_bytes(kBody.substr(6)), ByteRange::last(4)),
            "");
}

TEST(DownloadCheck, RejectsMalformedHeaders) {
  for (std::string range : {"", "bytes", "bytes 5-2/12", "bytes 2-12/12", "bytes a-b/c",
                            "bytes 2-5", "bytes -1-5/12", "items 2-5/12"}) {
    EXPECT_NE(check_download(answer(206, {{"content-range", range}}), as_bytes(kBody.substr(2, 4)),
                             ByteRange::span(2, 4)),
              "")
        << range;
  }
  EXPECT_NE(check_download(answer(200, {{"content-length", "12x"}}), as_bytes(kBody), std::nullopt),
            "");
}

TEST(DownloadCheck, ReadsOnlyPlainHexEtagsAsMd5) {
  EXPECT_EQ(md5_from_etag(answer(200, {{"etag", "\"ABCDEF0123456789ABCDEF0123456789\""}})),
            "abcdef0123456789abcdef0123456789");
  EXPECT_EQ(md5_from_etag(answer(200, {{"etag", "\"abcdef0123456789abcdef012345678g\""}})),
            std::nullopt);
  EXPECT_EQ(md5_from_etag(answer(200, {})), std::nullopt);
  EXPECT_EQ(md5_from_etag(answer(200, {{"etag", "W/\"abc\""}})), std::nullopt);
}

}  // namespace
}  // namespace ndbucket::s3
