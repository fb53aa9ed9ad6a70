// S3Store beyond the conformance suite, against the real servers: signature failures, multipart
// uploads (parallel, aborted on failure), buckets, presigned URLs, URLs, and boto3 interop.
#include "ndbucket/store/s3_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

#include "ndbucket/store/object_upload.hpp"
#include "ndbucket/store/open_store.hpp"
#include "s3/test_servers.hpp"
#include "store/s3/hashing.hpp"
#include "store/s3/http_client.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

// Forwards to the real transport, letting a test answer some requests itself and watch how
// many part uploads run at once.
class InterceptingTransport final : public s3::HttpTransport {
 public:
  using Interceptor = std::function<std::optional<s3::HttpResponse>(const s3::HttpRequest&)>;

  explicit InterceptingTransport(Interceptor intercept = {})
      : real_(std::make_shared<s3::CurlTransport>()), intercept_(std::move(intercept)) {}

  s3::HttpResponse perform(const s3::HttpRequest& request) override {
    if (intercept_) {
      if (auto answer = intercept_(request)) return *answer;
    }
    bool part = request.url.find("partNumber=") != std::string::npos;
    if (part) {
      int now = ++parts_in_flight_;
      int seen = max_parts_in_flight_;
      while (now > seen && !max_parts_in_flight_.compare_exchange_weak(seen, now)) {
      }
    }
    struct Leave {
      bool part;
      std::atomic<int>& counter;
      ~Leave() {
        if (part) --counter;
      }
    } leave{part, parts_in_flight_};
    return real_->perform(request);
  }

  int max_parts_in_flight() const { return max_parts_in_flight_; }

 private:
  std::shared_ptr<s3::HttpTransport> real_;
  Interceptor intercept_;
  std::atomic<int> parts_in_flight_{0};
  std::atomic<int> max_parts_in_flight_{0};
};

s3::HttpResponse s3_error_response(long status, const std::string& code) {
  s3::HttpResponse response;
  response.status = status;
  response.body = to_bytes("<?xml version=\"1.0\"?><Error><Code>" + code +
                           "</Code><Message>injected by the test</Message></Error>");
  return response;
}

TEST(S3StoreTest, WrongSecretIsPermissionDeniedNamingSignatureDoesNotMatch) {
  auto store = make_bucket_store(test_server("rgw"), "auth");
  store->put("k", as_bytes("v"));
  S3Config config = store->config();
  config.secret_access_key = "not-the-secret";
  S3Store wrong(config);
  try {
    wrong.get("k");
    FAIL() << "a wrong secret was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::PermissionDenied);
    std::string message = error.what();
    EXPECT_NE(message.find("SignatureDoesNotMatch"), std::string::npos) << message;
    EXPECT_NE(message.find("s3://" + config.bucket + "/k"), std::string::npos) << message;
    EXPECT_EQ(message.find("not-the-secret"), std::string::npos) << message;
    EXPECT_EQ(message.find(test_server("rgw").secret_key), std::string::npos) << message;
  }
}

TEST(S3StoreTest, MotoChecksSignaturesToo) {
  auto store = make_bucket_store(test_server("moto"), "auth");
  S3Config config = store->config();
  config.secret_access_key = "not-the-secret";
  EXPECT_EQ(error_code_of([&] { S3Store(config).put("k", as_bytes("v")); }),
            ErrorCode::PermissionDenied);
  config.access_key_id = "AKIAUNKNOWNKEY000000";
  EXPECT_EQ(error_code_of([&] { S3Store(config).head("k"); }), ErrorCode::PermissionDenied);
}

TEST(S3StoreTest, SixtyFourMebibytePutGoesMultipartInParallel) {
  auto transport = std::make_shared<InterceptingTransport>();
  auto store = make_bucket_store(test_server("rgw"), "multipart", transport);
  Bytes body = random_bytes(64u << 20, 64);
  ObjectInfo written = store->put("big/object.bin", body, {{{"dtype", "<f8"}}});
  EXPECT_EQ(written.size, body.size());
  // A multipart ETag is the MD5 of the part MD5s followed by "-<number of parts>".
  EXPECT_NE(written.etag.find("-8"), std::string::npos) << written.etag;
  EXPECT_GT(transport->max_parts_in_flight(), 1) << "parts were sent one at a time";
  GetResult read = store->get("big/object.bin");
  EXPECT_TRUE(read.body == body);
  EXPECT_EQ(read.info.metadata.at("dtype"), "<f8");
  EXPECT_TRUE(store->list_multipart_uploads().empty());
}

TEST(S3StoreTest, LargeCopiesRunPartByPartOnTheServer) {
  for (const char* server_name : {"rgw", "moto"}) {
    SCOPED_TRACE(server_name);
    TestServer server = test_server(server_name);
    auto store = make_bucket_store(server, "copy");
    Bytes body = random_bytes(12u << 20, 12);
    store->put("source", body, {{{"kind", "original"}}, "application/x-test"});
    S3Config config = store->config();
    config.multipart_copy_threshold = 6u << 20;  // as if 12 MiB were more than 5 GiB
    config.copy_part_size = 5u << 20;
    S3Store copier(config);
    ObjectInfo copied = copier.copy("source", "copy");
    EXPECT_NE(copied.etag.find("-3"), std::string::npos) << copied.etag;
    GetResult read = store->get("copy");
    EXPECT_TRUE(read.body == body);
    EXPECT_EQ(read.info.metadata.at("kind"), "original");
    EXPECT_EQ(read.info.content_type, "application/x-test");
    copier.copy_with_metadata("source", "relabelled", {{{"kind", "relabelled"}}, "text/plain"});
    EXPECT_EQ(store->head("relabelled")->metadata.at("kind"), "relabelled");
    EXPECT_EQ(store->head("relabelled")->content_type, "text/plain");
    EXPECT_TRUE(store->get("relabelled").body == body);
  }
}

TEST(S3StoreTest, FailingPartAbortsTheUploadAndLeavesNothing) {
  for (const char* server : {"rgw", "moto"}) {
    SCOPED_TRACE(server);
    auto transport = std::make_shared<InterceptingTransport>([](const s3::HttpRequest& request) {
      if (request.method == "PUT" && request.url.find("partNumber=3&") != std::string::npos) {
        return std::optional(s3_error_response(500, "InternalError"));
      }
      return std::optional<s3::HttpResponse>();
    });
    auto store = make_bucket_store(test_server(server), "abort", transport);
    store->put("victim", as_bytes("previous version"));
    Bytes body = random_bytes(40u << 20, 40);
    try {
      store->put("victim", body);
      FAIL() << "the upload succeeded although part 3 always fails";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::Unavailable) << error.what();
      EXPECT_NE(std::string(error.what()).find("attempts"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(store->list_multipart_uploads().empty()) << "the failed upload was not aborted";
    EXPECT_EQ(as_string_view(store->get("victim").body), "previous version");
  }
}

TEST(S3StoreTest, CompleteAnsweredWithTwoHundredAndAnErrorIsAnError) {
  // A transient error in a 200 is retried (as AWS advises); a permanent one fails at once.
  std::atomic<int> transient_left{1};
  std::atomic<bool> permanent{false};
  auto transport = std::make_shared<InterceptingTransport>([&](const s3::HttpRequest& request) {
    if (request.method == "POST" && request.url.find("uploadId=") != std::string::npos) {
      if (permanent) return std::optional(s3_error_response(200, "InvalidPart"));
      if (transient_left-- > 0) return std::optional(s3_error_response(200, "InternalError"));
    }
    return std::optional<s3::HttpResponse>();
  });
  auto store = make_bucket_store(test_server("rgw"), "complete", transport);
  Bytes body = random_bytes(20u << 20, 20);
  store->put("retried", body);
  EXPECT_TRUE(store->get("retried").body == body);
  permanent = true;
  try {
    store->put("k", body);
    FAIL() << "an error in a 200 answer was ignored";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::InvalidArgument) << error.what();
    EXPECT_NE(std::string(error.what()).find("CompleteMultipartUpload failed with InvalidPart"),
              std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(store->exists("k"));
  EXPECT_TRUE(store->list_multipart_uploads().empty());
}

TEST(S3StoreTest, TransientErrorsAreRetriedAndLogged) {
  std::atomic<int> failures_left{2};
  auto transport = std::make_shared<InterceptingTransport>([&](const s3::HttpRequest& request) {
    if (request.method == "GET" && failures_left-- > 0) {
      return std::optional(s3_error_response(503, "SlowDown"));
    }
    return std::optional<s3::HttpResponse>();
  });
  TestServer server = test_server("rgw");
  auto setup = make_bucket_store(server, "retry");
  setup->put("k", as_bytes("value"));
  S3Config config = setup->config();
  std::vector<std::string> logged;
  std::mutex log_mutex;
  config.log = [&](const std::string& line) {
    std::lock_guard guard(log_mutex);
    logged.push_back(line);
  };
  S3Store store(config, transport);
  EXPECT_EQ(as_string_view(store.get("k").body), "value");
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_NE(logged[0].find("SlowDown"), std::string::npos) << logged[0];

  config.retry.max_attempts = 3;
  failures_left = 100;
  S3Store impatient(config, transport);
  EXPECT_EQ(error_code_of([&] { impatient.get("k"); }), ErrorCode::Unavailable);
}

TEST(S3StoreTest, BucketsCanBeCreatedListedAndRemoved) {
  for (const char* server_name : {"rgw", "moto"}) {
    SCOPED_TRACE(server_name);
    TestServer server = test_server(server_name);
    S3Store store(test_config(server, fresh_bucket_name("bucket")));
    EXPECT_FALSE(store.bucket_exists());
    store.create_bucket();
    store.create_bucket();  // an owned bucket: not an error
    EXPECT_TRUE(store.bucket_exists());
    bool listed = false;
    for (const BucketInfo& bucket : store.list_buckets()) {
      listed = listed || bucket.name == store.config().bucket;
    }
    EXPECT_TRUE(listed);
    store.put("k", as_bytes("v"));
    EXPECT_EQ(error_code_of([&] { store.remove_bucket(); }), ErrorCode::AlreadyExists);
    store.remove("k");
    store.remove_bucket();
    EXPECT_FALSE(store.bucket_exists());
    EXPECT_EQ(error_code_of([&] { store.get("k"); }), ErrorCode::NotFound);
  }
}

TEST(S3StoreTest, PresignedUrlsWorkWithoutCredentials) {
  auto store = make_bucket_store(test_server("rgw"), "presign");
  store->put("shared/file.txt", as_bytes("shared bytes"));
  std::string get_url = store->presign_get("shared/file.txt", std::chrono::minutes(5));
  EXPECT_NE(get_url.find("X-Amz-Signature="), std::string::npos);
  EXPECT_EQ(get_url.find(test_server("rgw").secret_key), std::string::npos);
  s3::CurlTransport http;
  s3::HttpResponse got = http.perform({"GET", get_url, {}, {}, std::nullopt});
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(as_string_view(got.body), "shared bytes");

  std::string tampered = get_url;
  tampered[tampered.size() - 1] = tampered.back() == '0' ? '1' : '0';
  EXPECT_EQ(http.perform({"GET", tampered, {}, {}, std::nullopt}).status, 403);

  std::string put_url = store->presign_put("uploaded/by-url.txt", std::chrono::minutes(5));
  s3::HttpResponse put = http.perform({"PUT", put_url, {}, as_bytes("via url"), std::nullopt});
  EXPECT_EQ(put.status, 200) << as_string_view(put.body);
  EXPECT_EQ(as_string_view(store->get("uploaded/by-url.txt").body), "via url");
  EXPECT_EQ(error_code_of([&] { store->presign_get("k", std::chrono::hours(24 * 8)); }),
            ErrorCode::InvalidArgument);
}

TEST(S3StoreTest, OpenStoreTakesAnS3UrlWithEndpointAndPrefix) {
  TestServer server = test_server("rgw");
  auto bucket = make_bucket_store(server, "url");
  std::string url = "s3://" + server.access_key + ":" + server.secret_key + "@" +
                    bucket->config().bucket + "/run1/deep?endpoint=" + server.endpoint +
                    "&region=us-east-1&addressing=path";
  auto store = open_store(url);
  EXPECT_EQ(store->url(), "s3://" + bucket->config().bucket + "/run1/deep");
  store->put("x", as_bytes("through the URL"));
  EXPECT_EQ(as_string_view(bucket->get("run1/deep/x").body), "through the URL");
  ObjectLocation location =
      open_object(url.substr(0, url.find('?')) + "/x?" + url.substr(url.find('?') + 1));
  EXPECT_EQ(location.key, "x");
  EXPECT_EQ(as_string_view(location.store->get("x").body), "through the URL");
  try {
    open_store(url + "&bogus=1");
    FAIL() << "an unknown URL parameter was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(std::string(error.what()).find("bogus"), std::string::npos);
    EXPECT_EQ(std::string(error.what()).find(server.secret_key), std::string::npos);
  }
}

// Objects written by ndbucket are read by boto3 (Debian's, through NDBUCKET_PYTHON) and the
// other way round, metadata and content type included.
TEST(S3StoreTest, Boto3ReadsWhatNdbucketWroteAndTheOtherWayRound) {
  TestServer server = test_server("rgw");
  auto store = make_bucket_store(server, "boto3");
  Bytes small = random_bytes(100'000, 1);
  Bytes large = random_bytes(20u << 20, 2);  // multipart
  store->put("from-ndbucket/small.bin", small,
             {{{"dtype", "<f8"}, {"shape", "12500"}}, "application/x-test"});
  store->put("from-ndbucket/large.bin", large, {{{"parts", "many"}}});

  std::string script = std::string(NDBUCKET_SOURCE_DIR) + "/tests/s3/boto3_cross_check.py";
  std::string command = std::string(NDBUCKET_PYTHON) + " " + script + " " + server.endpoint + " " +
                        server.access_key + " " + server.secret_key + " " + store->config().bucket +
                        " " + s3::sha256_hex(small) + " " + s3::sha256_hex(large) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = ::pclose(pipe);
  ASSERT_EQ(status, 0) << output;
  EXPECT_NE(output.find("boto3 read ndbucket's objects"), std::string::npos) << output;

  GetResult csv = store->get("from-boto3/table.csv");
  EXPECT_EQ(as_string_view(csv.body), "a,b\n1,2\n");
  EXPECT_EQ(csv.info.content_type, "text/csv");
  EXPECT_EQ(csv.info.metadata.at("origin"), "boto3");
  GetResult multi = store->get("from-boto3/multipart.bin");
  ASSERT_EQ(multi.body.size(), 12u << 20);
  for (std::size_t i = 0; i < multi.body.size(); i += 4099) {
    ASSERT_EQ(multi.body[i], static_cast<std::byte>(i % 251)) << "at byte " << i;
  }
}

TEST(S3StoreTest, StreamedUploadGoesMultipartAndAbortsWhenDropped) {
  auto transport = std::make_shared<InterceptingTransport>();
  auto base = make_bucket_store(test_server("rgw"), "stream", transport);
  S3Config config = base->config();
  config.multipart_threshold = 6u << 20;
  config.part_size = 5u << 20;
  config.concurrency = 2;
  S3Store store(config, transport);

  Bytes body = random_bytes((17u << 20) + 3, 17);
  auto upload = store.begin_upload("streamed.bin", {{{"dtype", "<u1"}}});
  for (std::size_t offset = 0; offset < body.size(); offset += 1u << 20) {
    upload->write(
        ByteSpan(body).subspan(offset, std::min<std::size_t>(1u << 20, body.size() - offset)));
  }
  EXPECT_FALSE(store.exists("streamed.bin")) << "visible before commit";
  ObjectInfo written = upload->commit();
  EXPECT_NE(written.etag.find("-4"), std::string::npos) << written.etag;  // 5+5+5+2 MiB
  EXPECT_EQ(written.size, body.size());
  GetResult read = store.get("streamed.bin");
  EXPECT_TRUE(read.body == body);
  EXPECT_EQ(read.info.metadata.at("dtype"), "<u1");

  {
    auto dropped = store.begin_upload("dropped.bin");
    dropped->write(ByteSpan(body).first(12u << 20));  // past the threshold: parts were sent
    EXPECT_FALSE(store.list_multipart_uploads().empty());
  }
  EXPECT_TRUE(store.list_multipart_uploads().empty()) << "the dropped upload was not aborted";
  EXPECT_FALSE(store.exists("dropped.bin"));

  // Below the threshold a commit is a single PUT.
  auto small = store.begin_upload("small.bin");
  small->write(ByteSpan(body).first(1000));
  EXPECT_EQ(small->commit().etag.find('-'), std::string::npos);
  EXPECT_EQ(store.get("small.bin").body.size(), 1000u);
}

TEST(S3StoreTest, StreamedUploadWithAFailingPartLeavesThePreviousObject) {
  auto transport = std::make_shared<InterceptingTransport>([](const s3::HttpRequest& request) {
    if (request.method == "PUT" && request.url.find("partNumber=2&") != std::string::npos) {
      return std::optional(s3_error_response(500, "InternalError"));
    }
    return std::optional<s3::HttpResponse>();
  });
  auto base = make_bucket_store(test_server("rgw"), "stream-fail", transport);
  S3Config config = base->config();
  config.multipart_threshold = 5u << 20;
  config.part_size = 5u << 20;
  config.retry.max_attempts = 2;
  S3Store store(config, transport);
  store.put("victim", as_bytes("previous version"));
  Bytes body = random_bytes(30u << 20, 30);
  auto upload = store.begin_upload("victim");
  ErrorCode code = error_code_of([&] {
    for (std::size_t offset = 0; offset < body.size(); offset += 1u << 20) {
      upload->write(ByteSpan(body).subspan(offset, 1u << 20));
    }
    upload->commit();
  });
  EXPECT_EQ(code, ErrorCode::Unavailable);
  EXPECT_EQ(error_code_of([&] { upload->commit(); }), ErrorCode::InvalidArgument);
  EXPECT_TRUE(store.list_multipart_uploads().empty()) << "the failed upload was not aborted";
  EXPECT_EQ(as_string_view(store.get("victim").body), "previous version");
}

}  // namespace
}  // namespace ndbucket::testing
