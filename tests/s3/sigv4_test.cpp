// The SigV4 signer against AWS's published S3 examples ("Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk" and "Authenticating Requests:
// Using Query Parameters"), against botocore for a table of awkward keys, query values and
// headers, and against its own contract (validation, determinism, sensitivity to every input).
#include "store/s3/sigv4.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ndbucket/core/error.hpp"
#include "store/s3/hashing.hpp"
#include "support/test_util.hpp"

namespace ndbucket::s3 {
namespace {

using namespace std::chrono;
using ndbucket::testing::error_code_of;

constexpr std::string_view kExampleHost = "examplebucket.s3.amazonaws.com";
const Credentials kExampleCredentials{"AKIAIOSFODNN7EXAMPLE",
                                      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
// 20130524T000000Z, the time of every AWS S3 SigV4 example.
const system_clock::time_point kExampleTime = sys_days{year{2013} / 5 / 24};

std::string header(const SignedHeaders& signed_headers, std::string_view name) {
  for (const auto& [n, v] : signed_headers.headers_to_add) {
    if (n == name) return v;
  }
  return "<absent>";
}

SigningRequest example_request(std::string method, std::string path, NameValueList query = {},
                               NameValueList headers = {},
                               std::string payload_hash = std::string(kEmptyPayloadSha256)) {
  SigningRequest request;
  request.method = std::move(method);
  request.host = std::string(kExampleHost);
  request.path = std::move(path);
  request.query = std::move(query);
  request.headers = std::move(headers);
  request.payload_hash = std::move(payload_hash);
  return request;
}

std::string authorization_for(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
         "SignedHeaders=" +
         std::string(signed_headers) + ", Signature=" + std::string(signature);
}

std::string string_to_sign_for(std::string_view canonical_request_hash) {
  return "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" +
         std::string(canonical_request_hash);
}

// ---------------------------------------------------------------------------------------------
// uri_encode and query_string

TEST(UriEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(uri_encode(" ", true), "%20");
  EXPECT_EQ(uri_encode("+", true), "%2B");
  EXPECT_EQ(uri_encode("=", true), "%3D");
  EXPECT_EQ(uri_encode("%", true), "%25");
  EXPECT_EQ(uri_encode("!*'()", true), "%21%2A%27%28%29");
  EXPECT_EQ(uri_encode("$&,;:@?#[]", true), "%24%26%2C%3B%3A%40%3F%23%5B%5D");
  EXPECT_EQ(uri_encode(std::string_view("\0\x7f", 2), true), "%00%7F");
  EXPECT_EQ(uri_encode("", true), "");
}

TEST(UriEncode, EncodesUtf8ByteByByteWithUpperCaseHex) {
  EXPECT_EQ(uri_encode("\xc3\xa9", true), "%C3%A9");                // é
  EXPECT_EQ(uri_encode("\xf0\x9f\x98\x80", true), "%F0%9F%98%80");  // 😀
  EXPECT_EQ(uri_encode("\xff", true), "%FF");
}

TEST(UriEncode, SlashIsKeptOnlyInPaths) {
  EXPECT_EQ(uri_encode("/a b/c", false), "/a%20b/c");
  EXPECT_EQ(uri_encode("/a b/c", true), "%2Fa%20b%2Fc");
}

TEST(UriEncode, DoesNotNormalizePaths) {
  // S3 keys may contain empty and dot segments; they are signed as they are.
  EXPECT_EQ(uri_encode("/b//a/./../c/", false), "/b//a/./../c/");
}

TEST(QueryString, SortsByEncodedNameThenValue) {
  NameValueList query = {{"prefix", "J"}, {"max-keys", "2"}};
  EXPECT_EQ(query_string(query), "max-keys=2&prefix=J");
  // Encoded order differs from decoded order: '/' (0x2F) sorts after '.' (0x2E) decoded, but its
  // escape "%2F" sorts before '.'.
  EXPECT_EQ(query_string({{"a.b", "1"}, {"a/b", "2"}}), "a%2Fb=2&a.b=1");
  EXPECT_EQ(query_string({{"b", ""}, {"B", ""}, {"_", ""}, {"~", ""}, {"a", ""}}),
            "B=&_=&a=&b=&~=");
}

TEST(QueryString, RepeatedNamesAreOrderedByValue) {
  EXPECT_EQ(query_string({{"a", "2"}, {"a", "10"}, {"a", ""}, {"a", "1"}}), "a=&a=1&a=10&a=2");
}

TEST(QueryString, EmptyValuesKeepTheEqualsSign) {
  EXPECT_EQ(query_string({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(query_string({}), "");
}

TEST(QueryString, EncodesNamesAndValuesIncludingSlash) {
  EXPECT_EQ(query_string({{"prefix", "a b+c=d&e/f~"}}), "prefix=a%20b%2Bc%3Dd%26e%2Ff~");
  EXPECT_EQ(query_string({{"a b", "%"}}), "a%20b=%25");
}

// ---------------------------------------------------------------------------------------------
// AWS's published examples

TEST(AwsExamples, GetObjectWithRange) {
  SigningRequest request = example_request("GET", "/test.txt", {}, {{"Range", "bytes=0-9"}});
  SignedHeaders signed_headers =
      sign_request(request, kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_EQ(signed_headers.canonical_request,
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "range:bytes=0-9\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signed_headers.string_to_sign,
            string_to_sign_for("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"));
  EXPECT_EQ(signed_headers.signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(header(signed_headers, "Authorization"),
            authorization_for("host;range;x-amz-content-sha256;x-amz-date",
                              "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
  EXPECT_EQ(header(signed_headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(header(signed_headers, "x-amz-content-sha256"), kEmptyPayloadSha256);
}

TEST(AwsExamples, PutObject) {
  std::string payload_hash = sha256_hex("Welcome to Amazon S3.");
  ASSERT_EQ(payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  std::string path = uri_encode("/test$file.text", false);
  ASSERT_EQ(path, "/test%24file.text");
  SigningRequest request = example_request(
      "PUT", path, {},
      {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      payload_hash);
  SignedHeaders signed_headers =
      sign_request(request, kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_EQ(signed_headers.canonical_request,
            "PUT\n/test%24file.text\n\n"
            "date:Fri, 24 May 2013 00:00:00 GMT\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
            "x-amz-date:20130524T000000Z\n"
            "x-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(signed_headers.string_to_sign,
            string_to_sign_for("9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d"));
  EXPECT_EQ(signed_headers.signature,
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  EXPECT_EQ(header(signed_headers, "Authorization"),
            authorization_for("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                              "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
  EXPECT_EQ(header(signed_headers, "x-amz-content-sha256"), payload_hash);
}

TEST(AwsExamples, GetBucketLifecycle) {
  SigningRequest request = example_request("GET", "/", {{"lifecycle", ""}});
  SignedHeaders signed_headers =
      sign_request(request, kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_EQ(signed_headers.canonical_request,
            "GET\n/\nlifecycle=\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signed_headers.string_to_sign,
            string_to_sign_for("9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca"));
  EXPECT_EQ(signed_headers.signature,
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  EXPECT_EQ(header(signed_headers, "Authorization"),
            authorization_for("host;x-amz-content-sha256;x-amz-date",
                              "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
}

TEST(AwsExamples, ListObjects) {
  // Given out of order on purpose: the canonical query is sorted.
  SigningRequest request = example_request("GET", "/", {{"prefix", "J"}, {"max-keys", "2"}});
  SignedHeaders signed_headers =
      sign_request(request, kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_EQ(signed_headers.canonical_request,
            "GET\n/\nmax-keys=2&prefix=J\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signed_headers.string_to_sign,
            string_to_sign_for("df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7"));
  EXPECT_EQ(signed_headers.signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(AwsExamples, PresignedGetObject) {
  SigningRequest request = example_request("GET", "/test.txt");
  std::string url =
      presign_url("https", request, kExampleCredentials, "us-east-1", kExampleTime, hours(24));
  EXPECT_EQ(url,
            "https://examplebucket.s3.amazonaws.com/test.txt"
            "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(AwsExamples, PresignIgnoresThePayloadHash) {
  // A presigned URL always signs UNSIGNED-PAYLOAD, whatever the request says.
  SigningRequest request = example_request("GET", "/test.txt", {}, {}, std::string(64, 'a'));
  std::string url =
      presign_url("https", request, kExampleCredentials, "us-east-1", kExampleTime, seconds(86400));
  EXPECT_NE(url.find("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f60"
                     "4d404"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Contract of sign_request

TEST(SignRequest, SessionTokenIsSentAndSigned) {
  Credentials credentials = kExampleCredentials;
  credentials.session_token = "FwoGZXIvYXdzEJr//////////wEaDH+abc/def==";
  SignedHeaders signed_headers =
      sign_request(example_request("GET", "/test.txt"), credentials, "us-east-1", kExampleTime);
  ASSERT_EQ(signed_headers.headers_to_add.size(), 4u);
  EXPECT_EQ(signed_headers.headers_to_add[0].first, "x-amz-date");
  EXPECT_EQ(signed_headers.headers_to_add[1].first, "x-amz-content-sha256");
  EXPECT_EQ(
      signed_headers.headers_to_add[2],
      (std::pair<std::string, std::string>("x-amz-security-token", credentials.session_token)));
  EXPECT_EQ(signed_headers.headers_to_add[3].first, "Authorization");
  EXPECT_NE(signed_headers.canonical_request.find(
                "\nx-amz-security-token:" + credentials.session_token + "\n"),
            std::string::npos);
  EXPECT_NE(header(signed_headers, "Authorization")
                .find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

TEST(SignRequest, WithoutTokenThereIsNoTokenHeader) {
  SignedHeaders signed_headers = sign_request(example_request("GET", "/test.txt"),
                                              kExampleCredentials, "us-east-1", kExampleTime);
  ASSERT_EQ(signed_headers.headers_to_add.size(), 3u);
  EXPECT_EQ(header(signed_headers, "x-amz-security-token"), "<absent>");
  EXPECT_EQ(signed_headers.canonical_request.find("security-token"), std::string::npos);
}

TEST(SignRequest, UnsignedPayloadIsSignedAsTheMarker) {
  SigningRequest request = example_request("PUT", "/big.bin", {}, {}, "UNSIGNED-PAYLOAD");
  SignedHeaders signed_headers =
      sign_request(request, kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_EQ(header(signed_headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(signed_headers.canonical_request.ends_with(
      "\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:20130524T000000Z\n\n"
      "host;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"));
}

TEST(SignRequest, DefaultPayloadHashIsTheEmptyBody) {
  SigningRequest request;
  request.method = "GET";
  request.host = std::string(kExampleHost);
  request.path = "/test.txt";
  request.headers = {{"Range", "bytes=0-9"}};
  EXPECT_EQ(sign_request(request, kExampleCredentials, "us-east-1", kExampleTime).signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SignRequest, HeaderNamesAreCaseInsensitiveAndValuesTrimmed) {
  auto signature_with = [](NameValueList headers) {
    return sign_request(example_request("GET", "/test.txt", {}, std::move(headers)),
                        kExampleCredentials, "us-east-1", kExampleTime)
        .signature;
  };
  const std::string expected = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
  EXPECT_EQ(signature_with({{"RANGE", "bytes=0-9"}}), expected);
  EXPECT_EQ(signature_with({{"range", "  bytes=0-9 \t "}}), expected);
  EXPECT_NE(signature_with({{"range", "bytes=0-8"}}), expected);
}

TEST(SignRequest, InnerBlankRunsCollapseToOneSpace) {
  SignedHeaders signed_headers =
      sign_request(example_request("GET", "/k", {}, {{"X-Amz-Meta-Note", "  a   b\t\tc  d "}}),
                   kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_NE(signed_headers.canonical_request.find("\nx-amz-meta-note:a b c d\n"),
            std::string::npos);
}

TEST(SignRequest, EmptyHeaderValueIsSigned) {
  SignedHeaders signed_headers =
      sign_request(example_request("GET", "/k", {}, {{"x-amz-meta-empty", "   "}}),
                   kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_NE(signed_headers.canonical_request.find("\nx-amz-meta-empty:\n"), std::string::npos);
  EXPECT_NE(signed_headers.canonical_request.find(";x-amz-meta-empty\n"), std::string::npos);
}

TEST(SignRequest, RepeatedHeaderValuesAreJoinedInOrder) {
  SignedHeaders signed_headers = sign_request(
      example_request("GET", "/k", {}, {{"x-amz-meta-a", " one "}, {"X-AMZ-META-A", "two"}}),
      kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_NE(signed_headers.canonical_request.find("\nx-amz-meta-a:one,two\n"), std::string::npos);
}

TEST(SignRequest, CanonicalHeadersAreSortedWithTheSignersOwn) {
  SignedHeaders signed_headers = sign_request(
      example_request("GET", "/k", {}, {{"Zed", "1"}, {"content-md5", "x"}, {"X-Amz-Meta-B", "2"}}),
      kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_NE(header(signed_headers, "Authorization")
                .find("SignedHeaders=content-md5;host;x-amz-content-sha256;x-amz-date;"
                      "x-amz-meta-b;zed,"),
            std::string::npos);
}

TEST(SignRequest, QueryOrderAsGivenDoesNotMatter) {
  auto signature_with = [](NameValueList query) {
    return sign_request(example_request("GET", "/", std::move(query)), kExampleCredentials,
                        "us-east-1", kExampleTime)
        .signature;
  };
  EXPECT_EQ(signature_with({{"a", "1"}, {"b", "2"}, {"a", "0"}}),
            signature_with({{"b", "2"}, {"a", "0"}, {"a", "1"}}));
}

TEST(SignRequest, SubSecondPartOfTheClockIsIgnored) {
  SigningRequest request = example_request("GET", "/test.txt", {}, {{"Range", "bytes=0-9"}});
  SignedHeaders signed_headers =
      sign_request(request, kExampleCredentials, "us-east-1", kExampleTime + milliseconds(999));
  EXPECT_EQ(signed_headers.signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SignRequest, TimeIsFormattedInUtc) {
  system_clock::time_point leap_second_before_midnight =
      sys_days{year{2024} / 2 / 29} + hours(23) + minutes(59) + seconds(59);
  SignedHeaders signed_headers = sign_request(example_request("GET", "/"), kExampleCredentials,
                                              "eu-central-1", leap_second_before_midnight);
  EXPECT_EQ(header(signed_headers, "x-amz-date"), "20240229T235959Z");
  EXPECT_NE(header(signed_headers, "Authorization")
                .find("Credential=AKIAIOSFODNN7EXAMPLE/20240229/eu-central-1/s3/aws4_request, "),
            std::string::npos);
  system_clock::time_point before_epoch = sys_days{year{1969} / 12 / 31} + hours(1) + seconds(2);
  EXPECT_EQ(header(sign_request(example_request("GET", "/"), kExampleCredentials, "us-east-1",
                                before_epoch),
                   "x-amz-date"),
            "19691231T010002Z");
}

TEST(SignRequest, IsDeterministic) {
  SigningRequest request = example_request("GET", "/k", {{"a", "b"}}, {{"range", "bytes=1-2"}});
  SignedHeaders first = sign_request(request, kExampleCredentials, "us-east-1", kExampleTime);
  SignedHeaders second = sign_request(request, kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_EQ(first.headers_to_add, second.headers_to_add);
  EXPECT_EQ(first.canonical_request, second.canonical_request);
}

TEST(SignRequest, EveryInputChangesTheSignature) {
  SigningRequest base = example_request("GET", "/k", {{"a", "b"}}, {{"range", "bytes=1-2"}});
  auto sign = [](const SigningRequest& request, const Credentials& credentials,
                 std::string_view region, system_clock::time_point now,
                 std::string_view service = "s3") {
    return sign_request(request, credentials, region, now, service).signature;
  };
  const std::string reference = sign(base, kExampleCredentials, "us-east-1", kExampleTime);
  std::vector<std::string> variants;
  {
    SigningRequest r = base;
    r.method = "HEAD";
    variants.push_back(sign(r, kExampleCredentials, "us-east-1", kExampleTime));
  }
  {
    SigningRequest r = base;
    r.host = "other.s3.amazonaws.com";
    variants.push_back(sign(r, kExampleCredentials, "us-east-1", kExampleTime));
  }
  {
    SigningRequest r = base;
    r.path = "/K";
    variants.push_back(sign(r, kExampleCredentials, "us-east-1", kExampleTime));
  }
  {
    SigningRequest r = base;
    r.query = {{"a", "c"}};
    variants.push_back(sign(r, kExampleCredentials, "us-east-1", kExampleTime));
  }
  {
    SigningRequest r = base;
    r.headers = {{"range", "bytes=1-3"}};
    variants.push_back(sign(r, kExampleCredentials, "us-east-1", kExampleTime));
  }
  {
    SigningRequest r = base;
    r.payload_hash = sha256_hex("x");
    variants.push_back(sign(r, kExampleCredentials, "us-east-1", kExampleTime));
  }
  {
    Credentials c = kExampleCredentials;
    c.secret_access_key += "X";
    variants.push_back(sign(base, c, "us-east-1", kExampleTime));
  }
  {
    Credentials c = kExampleCredentials;
    c.session_token = "token";
    variants.push_back(sign(base, c, "us-east-1", kExampleTime));
  }
  variants.push_back(sign(base, kExampleCredentials, "us-west-2", kExampleTime));
  variants.push_back(sign(base, kExampleCredentials, "us-east-1", kExampleTime + seconds(1)));
  variants.push_back(
      sign(base, kExampleCredentials, "us-east-1", kExampleTime, "s3-object-lambda"));
  for (std::size_t i = 0; i < variants.size(); ++i) {
    EXPECT_NE(variants[i], reference) << "variant " << i;
  }
}

TEST(SignRequest, PathIsSignedAsGivenWithoutNormalization) {
  SignedHeaders signed_headers = sign_request(example_request("GET", "/b//a/./../c/"),
                                              kExampleCredentials, "us-east-1", kExampleTime);
  EXPECT_TRUE(signed_headers.canonical_request.starts_with("GET\n/b//a/./../c/\n\n"));
}

// ---------------------------------------------------------------------------------------------
// Validation

ErrorCode code_of_signing(const SigningRequest& request,
                          const Credentials& credentials = kExampleCredentials,
                          std::string_view region = "us-east-1", std::string_view service = "s3") {
  return error_code_of([&] { sign_request(request, credentials, region, kExampleTime, service); });
}

TEST(SignRequestValidation, RejectsBadMethods) {
  for (const char* method : {"", "get", "G ET", "GET\n"}) {
    EXPECT_EQ(code_of_signing(example_request(method, "/")), ErrorCode::InvalidArgument) << method;
  }
}

TEST(SignRequestValidation, RejectsBadHosts) {
  for (const char* host : {"", "a b", "a/b", "a\r\nX-Injected: 1", "user@host", "h?x"}) {
    SigningRequest request = example_request("GET", "/");
    request.host = host;
    EXPECT_EQ(code_of_signing(request), ErrorCode::InvalidArgument) << host;
  }
}

TEST(SignRequestValidation, RejectsPathsThatAreNotEncoded) {
  for (const char* path : {"", "test.txt", "/a b", "/a+b", "/a%2fb", "/a%", "/a%2", "/a%G0",
                           "/\xc3\xa9", "/a?b", "/a=b"}) {
    EXPECT_EQ(code_of_signing(example_request("GET", path)), ErrorCode::InvalidArgument) << path;
  }
}

TEST(SignRequestValidation, AcceptsEncodedPaths) {
  for (const char* path : {"/", "/a%20b", "/%2F%25/~-_.", "//", "/a/%C3%A9"}) {
    EXPECT_NO_THROW(
        sign_request(example_request("GET", path), kExampleCredentials, "us-east-1", kExampleTime))
        << path;
  }
}

TEST(SignRequestValidation, RejectsSignerOwnedHeaders) {
  for (const char* name :
       {"Host", "authorization", "X-Amz-Date", "x-amz-content-sha256", "X-AMZ-SECURITY-TOKEN"}) {
    EXPECT_EQ(code_of_signing(example_request("GET", "/", {}, {{name, "v"}})),
              ErrorCode::InvalidArgument)
        << name;
  }
}

TEST(SignRequestValidation, RejectsBadHeaderNamesAndValues) {
  EXPECT_EQ(code_of_signing(example_request("GET", "/", {}, {{"", "v"}})),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(example_request("GET", "/", {}, {{"a b", "v"}})),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(example_request("GET", "/", {}, {{"a:b", "v"}})),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(example_request("GET", "/", {}, {{"x-amz-meta-a", "v\r\nHost: x"}})),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(
      code_of_signing(example_request("GET", "/", {}, {{"x-amz-meta-a", std::string(1, '\0')}})),
      ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(example_request("GET", "/", {}, {{"x-amz-meta-a", "a\nb"}})),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(example_request("GET", "/", {}, {{"x-amz-meta-a", "a\x7f"}})),
            ErrorCode::InvalidArgument);
  // A tab is legal inside a field value.
  EXPECT_NO_THROW(sign_request(example_request("GET", "/", {}, {{"x-amz-meta-a", "a\tb"}}),
                               kExampleCredentials, "us-east-1", kExampleTime));
}

TEST(SignRequestValidation, RejectsBadPayloadHashes) {
  for (std::string hash :
       {std::string(""), std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
        std::string(64, 'g'), std::string("unsigned-payload"),
        std::string("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")}) {
    EXPECT_EQ(code_of_signing(example_request("PUT", "/", {}, {}, hash)),
              ErrorCode::InvalidArgument)
        << hash;
  }
}

TEST(SignRequestValidation, RejectsBadCredentialsRegionAndService) {
  SigningRequest request = example_request("GET", "/");
  EXPECT_EQ(code_of_signing(request, {"", "secret", ""}), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(request, {"AK/ID", "secret", ""}), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(request, {"AKID", "", ""}), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(request, {"AKID", "secret", "tok\nen"}), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(request, kExampleCredentials, ""), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(request, kExampleCredentials, "us/east"), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of_signing(request, kExampleCredentials, "us-east-1", ""),
            ErrorCode::InvalidArgument);
}

TEST(SignRequestValidation, MessagesNeverContainSecrets) {
  const Credentials credentials{"AKIDVISIBLE", "SECRETSECRETSECRET", "TOKENTOKENTOKEN\n"};
  auto message_of = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const Error& error) {
      return error.what();
    }
    return "<no error>";
  };
  std::vector<std::string> messages;
  messages.push_back(message_of(
      [&] { sign_request(example_request("GET", "/"), credentials, "us-east-1", kExampleTime); }));
  Credentials bad_key = credentials;
  bad_key.access_key_id = "AK ID";
  bad_key.session_token.clear();
  messages.push_back(message_of(
      [&] { sign_request(example_request("GET", "/"), bad_key, "us-east-1", kExampleTime); }));
  Credentials good = credentials;
  good.session_token = "TOKENTOKENTOKEN";
  messages.push_back(message_of([&] {
    sign_request(
        example_request("GET", "/", {},
                        {{"x-amz-server-side-encryption-customer-key", "SECRETSECRETSECRET\n"}}),
        good, "us-east-1", kExampleTime);
  }));
  messages.push_back(message_of([&] {
    presign_url("https", example_request("GET", "/"), good, "us-east-1", kExampleTime, seconds(0));
  }));
  for (const std::string& message : messages) {
    EXPECT_NE(message, "<no error>");
    EXPECT_EQ(message.find("SECRETSECRETSECRET"), std::string::npos) << message;
    EXPECT_EQ(message.find("TOKENTOKENTOKEN"), std::string::npos) << message;
  }
}

// ---------------------------------------------------------------------------------------------
// Contract of presign_url

TEST(PresignUrl, SessionTokenIsASignedQueryParameter) {
  Credentials credentials = kExampleCredentials;
  credentials.session_token = "tok/en+=";
  std::string url = presign_url("https", example_request("GET", "/test.txt"), credentials,
                                "us-east-1", kExampleTime, hours(1));
  // Sorted between X-Amz-Expires and X-Amz-SignedHeaders, and encoded like any value.
  EXPECT_NE(url.find("&X-Amz-Expires=3600&X-Amz-Security-Token=tok%2Fen%2B%3D&"
                     "X-Amz-SignedHeaders=host&X-Amz-Signature="),
            std::string::npos)
      << url;
  std::string without_token = presign_url("https", example_request("GET", "/test.txt"),
                                          kExampleCredentials, "us-east-1", kExampleTime, hours(1));
  EXPECT_EQ(without_token.find("Security-Token"), std::string::npos);
  EXPECT_NE(url.substr(url.size() - 64), without_token.substr(without_token.size() - 64));
}

TEST(PresignUrl, HeadersAreSignedAndListed) {
  SigningRequest request =
      example_request("PUT", "/up.bin", {}, {{"Content-Type", "application/x-npy"}});
  std::string url =
      presign_url("http", request, kExampleCredentials, "us-east-1", kExampleTime, minutes(5));
  EXPECT_TRUE(url.starts_with("http://examplebucket.s3.amazonaws.com/up.bin?")) << url;
  EXPECT_NE(url.find("&X-Amz-SignedHeaders=content-type%3Bhost&"), std::string::npos) << url;
}

TEST(PresignUrl, OwnQueryParametersAreKeptSortedBeforeTheSignature) {
  SigningRequest request = example_request(
      "GET", "/test.txt", {{"versionId", "v 1"}, {"response-content-type", "text/plain"}});
  std::string url =
      presign_url("https", request, kExampleCredentials, "us-east-1", kExampleTime, seconds(60));
  EXPECT_TRUE(url.starts_with("https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm="))
      << url;
  EXPECT_NE(url.find("&X-Amz-SignedHeaders=host&response-content-type=text%2Fplain&"
                     "versionId=v%201&X-Amz-Signature="),
            std::string::npos)
      << url;
}

TEST(PresignUrl, ExpiryBounds) {
  SigningRequest request = example_request("GET", "/test.txt");
  auto code_for = [&](seconds expires) {
    return error_code_of([&] {
      presign_url("https", request, kExampleCredentials, "us-east-1", kExampleTime, expires);
    });
  };
  EXPECT_EQ(code_for(seconds(0)), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_for(seconds(-1)), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_for(seconds(604801)), ErrorCode::InvalidArgument);
  EXPECT_NE(
      presign_url("https", request, kExampleCredentials, "us-east-1", kExampleTime, seconds(1))
          .find("X-Amz-Expires=1&"),
      std::string::npos);
  EXPECT_NE(presign_url("https", request, kExampleCredentials, "us-east-1", kExampleTime,
                        kMaxPresignExpiry)
                .find("X-Amz-Expires=604800&"),
            std::string::npos);
}

TEST(PresignUrl, RejectsReservedQueryParametersAndBadSchemes) {
  for (const char* name : {"X-Amz-Signature", "x-amz-credential", "X-Amz-Date", "X-Amz-Expires",
                           "X-Amz-Algorithm", "X-Amz-SignedHeaders", "X-Amz-Security-Token"}) {
    SigningRequest request = example_request("GET", "/k", {{name, "x"}});
    EXPECT_EQ(error_code_of([&] {
                presign_url("https", request, kExampleCredentials, "us-east-1", kExampleTime,
                            hours(1));
              }),
              ErrorCode::InvalidArgument)
        << name;
  }
  SigningRequest ordinary = example_request("GET", "/k", {{"x-amz-checksum-mode", "ENABLED"}});
  EXPECT_NO_THROW(
      presign_url("https", ordinary, kExampleCredentials, "us-east-1", kExampleTime, hours(1)));
  for (const char* scheme : {"", "ftp", "HTTPS", "https://"}) {
    EXPECT_EQ(error_code_of([&] {
                presign_url(scheme, ordinary, kExampleCredentials, "us-east-1", kExampleTime,
                            hours(1));
              }),
              ErrorCode::InvalidArgument)
        << scheme;
  }
}

TEST(PresignUrl, ValidatesLikeSignRequest) {
  SigningRequest bad_path = example_request("GET", "/a b");
  EXPECT_EQ(error_code_of([&] {
              presign_url("https", bad_path, kExampleCredentials, "us-east-1", kExampleTime,
                          hours(1));
            }),
            ErrorCode::InvalidArgument);
  SigningRequest bad_header = example_request("GET", "/", {}, {{"Host", "x"}});
  EXPECT_EQ(error_code_of([&] {
              presign_url("https", bad_header, kExampleCredentials, "us-east-1", kExampleTime,
                          hours(1));
            }),
            ErrorCode::InvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// botocore as the reference for awkward inputs

struct BotocoreCase {
  std::string id{};
  std::string mode = "header";  // or "presign"
  std::string method = "GET";
  std::string scheme = "https";
  std::string host = "s3.us-east-1.amazonaws.com";
  std::string path{};  // decoded
  NameValueList query{};
  NameValueList headers{};
  std::string body{};
  bool unsigned_payload = false;
  Credentials credentials = kExampleCredentials;
  std::string region = "us-east-1";
  std::string timestamp = "20130524T000000Z";
  int expires = 3600;
};

const Credentials kTemporaryCredentials{"ASIAEXAMPLEKEYID0001", "sec/ret+key=with~chars",
                                        "FwoGZXIvYXdzEJr//////////wEaDH+abc/def=="};

std::vector<BotocoreCase> botocore_cases() {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  std::vector<BotocoreCase> cases;
  auto add = [&](BotocoreCase c) { cases.push_back(std::move(c)); };
  // The AWS example, so a harness fault (e.g. the fixed clock not taking) shows up here first.
  add({.id = "aws-get-range",
       .host = "examplebucket.s3.amazonaws.com",
       .path = "/test.txt",
       .headers = {{"Range", "bytes=0-9"}}});
  add({.id = "key-space", .path = "/bucket/my key.txt"});
  add({.id = "key-plus", .path = "/bucket/a+b+c"});
  add({.id = "key-equals", .path = "/bucket/a=b==c"});
  add({.id = "key-tilde", .path = "/bucket/~user/file~1.txt"});
  add({.id = "key-double-slash", .path = "/bucket//a//b//"});
  add({.id = "key-dot-segments", .path = "/bucket/./a/../b/."});
  add({.id = "key-unicode",
       .path = "/bucket/donn\xc3\xa9"
               "es/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/\xf0\x9f\x98\x80.npy"});
  add({.id = "key-percent", .path = "/bucket/100%/a%20b%2F%"});
  add({.id = "key-sub-delims", .path = "/bucket/!*'()$&,;:@[]{}^`|\"<>#?\\"});
  add({.id = "key-control-chars", .path = "/bucket/tab\there\x7f"});
  add({.id = "query-space-plus-equals",
       .path = "/bucket",
       .query = {{"prefix", "a b+c=d&e"}, {"delimiter", "/"}}});
  add({.id = "query-empty-values", .path = "/bucket/k", .query = {{"uploads", ""}, {"x-id", ""}}});
  add({.id = "query-repeated-names",
       .path = "/bucket",
       .query = {{"a", "2"}, {"a", "10"}, {"a", ""}, {"a", "1"}}});
  add({.id = "query-sorted-order",
       .path = "/bucket",
       .query = {{"b", "1"},
                 {"a.b", "2"},
                 {"a/b", "3"},
                 {"A", "4"},
                 {"_", "5"},
                 {"~", "6"},
                 {"a b", "7"},
                 {"a-b", "8"},
                 {"Z", "9"},
                 {"a", "0"}}});
  add({.id = "query-listing",
       .path = "/bucket",
       .query = {{"list-type", "2"},
                 {"prefix",
                  "donn\xc3\xa9"
                  "es/\xe6\x97\xa5\xe6\x9c\xac/"},
                 {"continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="},
                 {"start-after", "a~b"},
                 {"encoding-type", "url"}}});
  add({.id = "query-specials",
       .path = "/bucket/k",
       .query = {{"q", "!*'()"}, {"p", "%41%"}, {"t", "~-._"}, {"u", "\xc3\xa9"}}});
  add({.id = "headers-trimmed",
       .method = "PUT",
       .path = "/bucket/k",
       .headers = {{"x-amz-meta-note", "  leading   and    inner   spaces  "},
                   {"Content-Type", "application/octet-stream"},
                   {"X-Amz-Meta-MixedCase", "Value"},
                   {"x-amz-meta-tabs", "\ta\t\t b\t"}},
       .body = "payload"});
  add({.id = "headers-repeated",
       .path = "/bucket/k",
       .headers = {{"x-amz-meta-a", "one"}, {"X-AMZ-META-A", "two"}}});
  add({.id = "headers-range-md5",
       .method = "PUT",
       .path = "/bucket/k",
       .headers = {{"Range", "bytes=100-199"}, {"Content-MD5", "kAFQmDzST7DWlj99KOF/cg=="}},
       .body = "abc"});
  add({.id = "headers-utf8-value",
       .method = "PUT",
       .path = "/bucket/k",
       .headers = {{"x-amz-meta-name", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"}}});
  add({.id = "session-token", .path = "/bucket/k", .credentials = kTemporaryCredentials});
  add({.id = "put-unsigned-payload",
       .method = "PUT",
       .path = "/bucket/big.bin",
       .headers = {{"Content-Type", "application/x-npy"}},
       .body = "hello",
       .unsigned_payload = true,
       .credentials = kTemporaryCredentials});
  add({.id = "put-binary-body", .method = "PUT", .path = "/bucket/bytes.bin", .body = all_bytes});
  add({.id = "host-with-port",
       .scheme = "http",
       .host = "127.0.0.1:9000",
       .path = "/bucket/k",
       .query = {{"versionId", "null"}}});
  add({.id = "other-region-and-time",
       .host = "bucket.s3.eu-central-1.amazonaws.com",
       .path = "/k",
       .region = "eu-central-1",
       .timestamp = "20240229T235959Z"});
  add({.id = "post-delete-objects",
       .method = "POST",
       .path = "/bucket",
       .query = {{"delete", ""}},
       .headers = {{"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="},
                   {"Content-Type", "application/xml"}},
       .body = "<Delete><Object><Key>a b</Key></Object></Delete>"});
  add({.id = "upload-part",
       .method = "PUT",
       .path = "/bucket/multi part",
       .query = {{"partNumber", "7"}, {"uploadId", "VXBsb2FkIElE+/=.abc~"}},
       .unsigned_payload = true});
  add({.id = "head-object", .method = "HEAD", .path = "/bucket/k"});
  add({.id = "delete-object",
       .method = "DELETE",
       .path = "/bucket/k",
       .query = {{"versionId", "3"}}});
  add({.id = "list-buckets", .path = "/"});

  add({.id = "presign-aws-example",
       .mode = "presign",
       .host = "examplebucket.s3.amazonaws.com",
       .path = "/test.txt",
       .expires = 86400});
  add({.id = "presign-awkward-key",
       .mode = "presign",
       .path = "/bucket/dir with space/\xc3\xbc+%=~!'()*.npy",
       .expires = 3600});
  add({.id = "presign-put-token-content-type",
       .mode = "presign",
       .method = "PUT",
       .path = "/bucket/upload.npy",
       .headers = {{"Content-Type", "application/x-npy"}},
       .credentials = kTemporaryCredentials,
       .expires = 604800});
  add({.id = "presign-response-overrides",
       .mode = "presign",
       .path = "/bucket/k",
       .query = {{"response-content-disposition", "attachment; filename=\"a b.npy\""},
                 {"response-content-type", "application/x-npy"},
                 {"versionId", "3/L4kqtJl+a=="}},
       .expires = 1});
  add({.id = "presign-port-and-region",
       .mode = "presign",
       .scheme = "http",
       .host = "127.0.0.1:9000",
       .path = "/bucket/k",
       .region = "us-west-2",
       .timestamp = "20240229T235959Z",
       .expires = 900});
  return cases;
}

system_clock::time_point parse_timestamp(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(text.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &s) != 6) {
    ADD_FAILURE() << "bad timestamp " << text;
  }
  return sys_days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}} +
         hours(h) + minutes(mi) + seconds(s);
}

nlohmann::json to_json(const NameValueList& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, value] : list) out.push_back({name, value});
  return out;
}

// Runs botocore_sign.py over every case once per process and returns its results by id.
const std::map<std::string, nlohmann::json>& botocore_results() {
  static const std::map<std::string, nlohmann::json> results = [] {
    std::map<std::string, nlohmann::json> by_id;
    nlohmann::json cases = nlohmann::json::array();
    for (const BotocoreCase& c : botocore_cases()) {
      cases.push_back({{"id", c.id},
                       {"mode", c.mode},
                       {"method", c.method},
                       {"scheme", c.scheme},
                       {"host", c.host},
                       {"path", c.path},
                       {"query", to_json(c.query)},
                       {"headers", to_json(c.headers)},
                       {"body_hex", to_hex(as_bytes(c.body))},
                       {"unsigned", c.unsigned_payload},
                       {"access_key", c.credentials.access_key_id},
                       {"secret_key", c.credentials.secret_access_key},
                       {"token", c.credentials.session_token},
                       {"region", c.region},
                       {"timestamp", c.timestamp},
                       {"expires", c.expires}});
    }
    std::filesystem::path dir = ndbucket::testing::fresh_test_dir("botocore-sigv4");
    std::filesystem::path in = dir / "cases.json", out = dir / "results.json",
                          err = dir / "stderr.txt";
    std::ofstream(in) << cases.dump(1);
    std::string command = std::string("\"") + NDBUCKET_PYTHON + "\" \"" + NDBUCKET_SOURCE_DIR +
                          "/tests/s3/botocore_sign.py\" \"" + in.string() + "\" \"" + out.string() +
                          "\" 2>\"" + err.string() + "\"";
    int status = std::system(command.c_str());
    if (status != 0) {
      std::ifstream error_stream(err);
      std::stringstream text;
      text << error_stream.rdbuf();
      ADD_FAILURE() << "botocore_sign.py failed (" << status << "): " << text.str();
      return by_id;
    }
    nlohmann::json results_json = nlohmann::json::parse(std::ifstream(out));
    for (const nlohmann::json& result : results_json) {
      by_id[result.at("id").get<std::string>()] = result;
    }
    return by_id;
  }();
  return results;
}

SigningRequest request_of(const BotocoreCase& c) {
  SigningRequest request;
  request.method = c.method;
  request.host = c.host;
  request.path = uri_encode(c.path, false);
  request.query = c.query;
  request.headers = c.headers;
  request.payload_hash =
      c.unsigned_payload ? std::string(kUnsignedPayload) : sha256_hex(as_bytes(c.body));
  return request;
}

// "a=1&b=2" -> sorted {"a=1", "b=2"}: botocore orders its presigned query differently, which is
// allowed, so URLs are compared as sets of parameters.
std::vector<std::string> sorted_parameters(std::string_view query) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    out.emplace_back(query.substr(start, end - start));
    start = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Botocore, HeaderSignaturesMatch) {
  const auto& results = botocore_results();
  ASSERT_FALSE(results.empty());
  int compared = 0;
  for (const BotocoreCase& c : botocore_cases()) {
    if (c.mode != "header") continue;
    SCOPED_TRACE(c.id);
    auto found = results.find(c.id);
    ASSERT_NE(found, results.end());
    const nlohmann::json& expected = found->second;
    SigningRequest request = request_of(c);
    EXPECT_EQ(request.path, expected.at("encoded_path").get<std::string>());
    SignedHeaders signed_headers =
        sign_request(request, c.credentials, c.region, parse_timestamp(c.timestamp));
    EXPECT_EQ(signed_headers.canonical_request,
              expected.at("canonical_request").get<std::string>());
    EXPECT_EQ(header(signed_headers, "Authorization"),
              expected.at("authorization").get<std::string>());
    EXPECT_EQ(header(signed_headers, "x-amz-content-sha256"),
              expected.at("content_sha256").get<std::string>());
    ++compared;
  }
  EXPECT_EQ(compared, 31);
  // The harness itself: botocore reproduces AWS's published signature for the anchor case.
  EXPECT_NE(results.at("aws-get-range")
                .at("authorization")
                .get<std::string>()
                .find("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
            std::string::npos);
}

TEST(Botocore, PresignedUrlsMatch) {
  const auto& results = botocore_results();
  ASSERT_FALSE(results.empty());
  int compared = 0;
  for (const BotocoreCase& c : botocore_cases()) {
    if (c.mode != "presign") continue;
    SCOPED_TRACE(c.id);
    auto found = results.find(c.id);
    ASSERT_NE(found, results.end());
    const std::string expected = found->second.at("url").get<std::string>();
    SigningRequest request = request_of(c);
    EXPECT_EQ(request.path, found->second.at("encoded_path").get<std::string>());
    const std::string url = presign_url(c.scheme, request, c.credentials, c.region,
                                        parse_timestamp(c.timestamp), seconds(c.expires));
    std::size_t ours_q = url.find('?'), theirs_q = expected.find('?');
    ASSERT_NE(ours_q, std::string::npos);
    ASSERT_NE(theirs_q, std::string::npos);
    EXPECT_EQ(url.substr(0, ours_q), expected.substr(0, theirs_q));
    EXPECT_EQ(sorted_parameters(std::string_view(url).substr(ours_q + 1)),
              sorted_parameters(std::string_view(expected).substr(theirs_q + 1)))
        << "ours:   " << url << "\nbotocore: " << expected;
    // The signature is last in both.
    EXPECT_EQ(url.substr(url.size() - 64), expected.substr(expected.size() - 64));
    ++compared;
  }
  EXPECT_EQ(compared, 5);
  EXPECT_TRUE(
      results.at("presign-aws-example")
          .at("url")
          .get<std::string>()
          .ends_with(
              "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
}

}  // namespace
}  // namespace ndbucket::s3
