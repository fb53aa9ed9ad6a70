// The S3 backend's pure parts, without a server: XML, error mapping, credential lookup, URLs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "ndbucket/store/s3_store.hpp"
#include "store/s3/credentials.hpp"
#include "store/s3/s3_errors.hpp"
#include "store/s3/xml.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

using s3::parse_xml;

TEST(S3XmlTest, ParsesListingsWithEntitiesAndNamespaces) {
  auto root = parse_xml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<!-- a comment --><Name>b</Name><Contents><Key>a&amp;b &lt;&#233;&#x4E2D;&gt;</Key>"
      "<Size>12</Size></Contents><Contents><Key><![CDATA[x<y]]></Key></Contents>"
      "<IsTruncated>false</IsTruncated><Empty/></ListBucketResult>",
      "test");
  EXPECT_EQ(root.name, "ListBucketResult");
  ASSERT_EQ(root.all("Contents").size(), 2u);
  EXPECT_EQ(root.all("Contents")[0]->child_text("Key"), "a&b <\xc3\xa9\xe4\xb8\xad>");
  EXPECT_EQ(root.all("Contents")[1]->child_text("Key"), "x<y");
  EXPECT_EQ(root.child_text("Missing", "fallback"), "fallback");
  EXPECT_NE(root.child("Empty"), nullptr);
  EXPECT_EQ(s3::xml_escape("a&<>\"'"), "a&amp;&lt;&gt;&quot;&apos;");
}

TEST(S3XmlTest, RefusesMalformedAndHostileDocuments) {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (const std::string& bad :
       {std::string(""), std::string("<a>"), std::string("<a></b>"), std::string("<a>&bogus;</a>"),
        std::string("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"), std::string("<a>&#0;</a>"),
        std::string("<a b=c></a>"), std::string("<a></a><b></b>"), deep,
        std::string("<a>&#x110000;</a>"), std::string("<a><![CDATA[x</a>")}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(error_code_of([&] { parse_xml(bad, "test"); }), ErrorCode::Corrupt);
  }
}

TEST(S3ErrorsTest, MapsS3CodesAndKeepsSecretsOut) {
  s3::HttpResponse response;
  response.status = 403;
  response.body = to_bytes(
      "<Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message>"
      "<StringToSign>AWS4-HMAC-SHA256 secret-ish</StringToSign><RequestId>r1</RequestId></Error>");
  Error error = s3::error_from_response(response, "s3://b/k");
  EXPECT_EQ(error.code(), ErrorCode::PermissionDenied);
  EXPECT_EQ(std::string(error.what()),
            "PermissionDenied: s3://b/k: S3 error SignatureDoesNotMatch (HTTP 403, request id "
            "r1): bad sig");
  EXPECT_EQ(s3::error_code_for(404, "NoSuchKey"), ErrorCode::NotFound);
  EXPECT_EQ(s3::error_code_for(404, "NoSuchBucket"), ErrorCode::NotFound);
  EXPECT_EQ(s3::error_code_for(403, "InvalidAccessKeyId"), ErrorCode::PermissionDenied);
  EXPECT_EQ(s3::error_code_for(403, "AccessDenied"), ErrorCode::PermissionDenied);
  EXPECT_EQ(s3::error_code_for(503, "SlowDown"), ErrorCode::Unavailable);
  EXPECT_EQ(s3::error_code_for(404, ""), ErrorCode::NotFound);  // HEAD: no body
  EXPECT_EQ(s3::error_code_for(416, "InvalidRange"), ErrorCode::InvalidArgument);
  response.status = 400;
  response.body = to_bytes("<Error><Code>RequestTimeout</Code></Error>");
  EXPECT_TRUE(s3::is_retryable(response));
  response.body = to_bytes("<Error><Code>InvalidArgument</Code></Error>");
  EXPECT_FALSE(s3::is_retryable(response));
  for (long status : {429L, 500L, 502L, 503L, 504L}) {
    response.status = status;
    EXPECT_TRUE(s3::is_retryable(response)) << status;
  }
}

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override { home_ = fresh_test_dir("credentials"); }
  s3::EnvLookup env() {
    return [this](std::string_view name) -> std::optional<std::string> {
      if (name == "HOME") return home_.string();
      auto it = vars_.find(std::string(name));
      if (it == vars_.end()) return std::nullopt;
      return it->second;
    };
  }
  void write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((home_ / relative).parent_path());
    std::ofstream(home_ / relative) << text;
  }
  s3::ResolvedSettings resolve(S3Config config = {}) {
    config.bucket = "b";
    return s3::resolve_settings(config, env());
  }

  std::filesystem::path home_;
  std::map<std::string, std::string> vars_;
};

TEST_F(CredentialsTest, FollowsTheDocumentedOrder) {
  write(".passwd-s3fs", "S3FSKEY:s3fssecret\n");
  vars_["AWS_ACCESS_KEY"] = "OLDKEY";
  vars_["AWS_SECRET_KEY"] = "oldsecret";
  EXPECT_EQ(resolve().credentials->access_key_id, "S3FSKEY");
  std::filesystem::remove(home_ / ".passwd-s3fs");
  EXPECT_EQ(resolve().credentials->access_key_id, "OLDKEY");

  write(".aws/config",
        "[default]\nregion = eu-west-2\naws_access_key_id = CONFIGKEY\n"
        "aws_secret_access_key = cs\n[profile other]\nregion = ap-south-1\n");
  EXPECT_EQ(resolve().credentials->access_key_id, "CONFIGKEY");
  EXPECT_EQ(resolve().region, "eu-west-2");
  write(".aws/credentials",
        "# comment\n[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = fs\n"
        "[other]\naws_access_key_id=OTHERKEY\naws_secret_access_key=os\naws_session_token=tok\n");
  EXPECT_EQ(resolve().credentials->access_key_id, "FILEKEY");
  vars_["AWS_PROFILE"] = "other";
  s3::ResolvedSettings other = resolve();
  EXPECT_EQ(other.credentials->access_key_id, "OTHERKEY");
  EXPECT_EQ(other.credentials->session_token, "tok");
  EXPECT_EQ(other.region, "ap-south-1");

  vars_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  vars_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  vars_["AWS_SESSION_TOKEN"] = "envtoken";
  EXPECT_EQ(resolve().credentials->access_key_id, "ENVKEY");
  EXPECT_EQ(resolve().credentials->session_token, "envtoken");

  S3Config explicit_config;
  explicit_config.access_key_id = "EXPLICIT";
  explicit_config.secret_access_key = "x";
  EXPECT_EQ(resolve(explicit_config).credentials->access_key_id, "EXPLICIT");
  EXPECT_EQ(resolve(explicit_config).credentials_source, "config");
}

TEST_F(CredentialsTest, SharedFileLocationsComeFromTheEnvironment) {
  write("elsewhere/creds", "[default]\naws_access_key_id = MOVED\naws_secret_access_key = m\n");
  vars_["AWS_SHARED_CREDENTIALS_FILE"] = (home_ / "elsewhere/creds").string();
  EXPECT_EQ(resolve().credentials->access_key_id, "MOVED");
}

TEST_F(CredentialsTest, NoCredentialsIsAClearErrorUnlessAnonymous) {
  try {
    resolve();
    FAIL() << "resolved credentials from nowhere";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::PermissionDenied);
    EXPECT_NE(std::string(error.what()).find(".passwd-s3fs"), std::string::npos);
  }
  S3Config anonymous;
  anonymous.anonymous = true;
  EXPECT_FALSE(resolve(anonymous).credentials.has_value());
}

TEST_F(CredentialsTest, RegionAndEndpointDefaults) {
  S3Config anonymous;
  anonymous.anonymous = true;
  s3::ResolvedSettings settings = resolve(anonymous);
  EXPECT_EQ(settings.region, "us-east-1");
  EXPECT_EQ(settings.endpoint, "https://s3.us-east-1.amazonaws.com");
  vars_["AWS_DEFAULT_REGION"] = "eu-central-1";
  vars_["AWS_ENDPOINT_URL"] = "http://generic:9000/";
  EXPECT_EQ(resolve(anonymous).region, "eu-central-1");
  EXPECT_EQ(resolve(anonymous).endpoint, "http://generic:9000");
  vars_["AWS_ENDPOINT_URL_S3"] = "http://s3-only:9000";
  EXPECT_EQ(resolve(anonymous).endpoint, "http://s3-only:9000");
  anonymous.endpoint = "ftp://nope";
  EXPECT_EQ(error_code_of([&] { resolve(anonymous); }), ErrorCode::InvalidArgument);
}

TEST(S3UrlTest, ParsesBucketPrefixCredentialsAndOptions) {
  S3Config config = parse_s3_url(
      "s3://AK:S%2Fecret@bucket/a/b?endpoint=http://127.0.0.1:7480&region=eu-west-1"
      "&addressing=virtual&anonymous=0&unsigned_payload=1&verify_tls=false&acl=authenticated-read");
  EXPECT_EQ(config.bucket, "bucket");
  EXPECT_EQ(config.prefix, "a/b");
  EXPECT_EQ(config.access_key_id, "AK");
  EXPECT_EQ(config.secret_access_key, "S/ecret");
  EXPECT_EQ(config.endpoint, "http://127.0.0.1:7480");
  EXPECT_EQ(config.region, "eu-west-1");
  EXPECT_EQ(config.addressing, S3Addressing::VirtualHosted);
  EXPECT_FALSE(config.anonymous);
  EXPECT_TRUE(config.unsigned_payload);
  EXPECT_FALSE(config.verify_tls);
  EXPECT_EQ(config.canned_acl, "authenticated-read");
  for (const char* bad : {"s3://", "s3:///x", "s3://b?addressing=sideways", "s3://b?nope=1",
                          "s3://user@b", "http://b"}) {
    EXPECT_EQ(error_code_of([&] { parse_s3_url(bad); }), ErrorCode::InvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace ndbucket::testing
