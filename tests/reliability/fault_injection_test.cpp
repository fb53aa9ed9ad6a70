// Scripted faults between S3Store and RGW: each one is noticed and retried, or ends in a clear
// error; damaged bytes are never returned.
#include <gtest/gtest.h>

#include <chrono>

#include "ndbucket/core/error.hpp"
#include "reliability/proxy_fixture.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

Bytes pattern(std::size_t size, unsigned seed) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<std::byte>((i * 131 + seed * 7 + (i >> 8)) & 0xff);
  }
  return bytes;
}

TEST(FaultProxy, ForwardsSignedRequestsUnchanged) {
  auto proxy = make_rgw_proxy();
  auto store = make_proxied_store(*proxy, "rel-fwd");
  Bytes body = pattern(100'000, 1);
  store->put("dir/a", body);
  EXPECT_EQ(store->get("dir/a").body, body);
  EXPECT_EQ(store->get("dir/a", ByteRange::span(10, 20)).body,
            Bytes(body.begin() + 10, body.begin() + 30));
  EXPECT_EQ(store->list("dir/").objects.size(), 1u);
  store->copy("dir/a", "dir/b");
  EXPECT_EQ(store->head("dir/b")->size, body.size());
  store->remove("dir/a");
  EXPECT_FALSE(store->head("dir/a"));
  // RGW checked every signature, made for the proxy's host:port and forwarded with that Host.
  EXPECT_GE(proxy->requests(), 8u);
  EXPECT_EQ(proxy->faults(), 0u);
}

class EachFault : public ::testing::TestWithParam<Fault> {};

TEST_P(EachFault, OnAWholeGetIsRetried) {
  auto proxy = make_rgw_proxy();
  auto store = make_proxied_store(*proxy, "rel-each");
  Bytes body = pattern(50'000, 2);
  store->put("k", body);
  proxy->add_rule({"GET", "/k", GetParam(), 1});
  EXPECT_EQ(store->get("k").body, body);
  EXPECT_EQ(proxy->faults(GetParam()), 1u);
  // A stall shorter than the client's limit costs time, not an attempt.
  EXPECT_EQ(proxy->matching_requests("GET", "/k"), GetParam() == Fault::Stall ? 1u : 2u);

  proxy->add_rule({"GET", "/k", GetParam(), 1});
  Bytes into(body.size());
  store->get_into("k", into);
  EXPECT_EQ(into, body);
}

// Every fault but FlipByte: a ranged body has no checksum to check it against.
class EachRangedFault : public ::testing::TestWithParam<Fault> {};

TEST_P(EachRangedFault, OnARangedGetIsRetried) {
  auto proxy = make_rgw_proxy();
  auto store = make_proxied_store(*proxy, "rel-range");
  Bytes body = pattern(50'000, 3);
  store->put("k", body);
  proxy->add_rule({"GET", "/k", GetParam(), 1});
  EXPECT_EQ(store->get("k", ByteRange::span(1000, 20'000)).body,
            Bytes(body.begin() + 1000, body.begin() + 21'000));
  EXPECT_EQ(proxy->faults(GetParam()), 1u);

  proxy->add_rule({"GET", "/k", GetParam(), 1});
  Bytes into(5000);
  store->get_into("k", into, ByteRange::last(5000));
  EXPECT_EQ(into, Bytes(body.end() - 5000, body.end()));
}

std::string fault_test_name(const ::testing::TestParamInfo<Fault>& param_info) {
  std::string name = fault_name(param_info.param);
  std::erase(name, '-');
  return "Fault" + name;
}

INSTANTIATE_TEST_SUITE_P(Faults, EachFault,
                         ::testing::Values(Fault::InternalError500, Fault::SlowDown503,
                                           Fault::TooManyRequests429, Fault::ResetBeforeResponse,
                                           Fault::ResetMidBody, Fault::Stall, Fault::TruncateBody,
                                           Fault::ShortBody, Fault::FlipByte),
                         fault_test_name);
INSTANTIATE_TEST_SUITE_P(Faults, EachRangedFault,
                         ::testing::Values(Fault::InternalError500, Fault::SlowDown503,
                                           Fault::TooManyRequests429, Fault::ResetBeforeResponse,
                                           Fault::ResetMidBody, Fault::Stall, Fault::TruncateBody,
                                           Fault::ShortBody),
                         fault_test_name);

TEST(FaultProxy, AStallLongerThanTheClientsLimitIsRetried) {
  FaultProxyOptions options;
  options.stall = std::chrono::milliseconds(5000);
  auto proxy = make_rgw_proxy(options);
  // Below 1 KiB/s for 1 s: curl averages over a few seconds, so the half body sent before the
  // stall must be small for the stall to show within them.
  auto config = proxied_config(*proxy, "");
  config.low_speed_time = std::chrono::seconds(1);
  auto store = make_proxied_store(*proxy, "rel-stall", config);
  Bytes body = pattern(1000, 4);
  store->put("k", body);
  proxy->add_rule({"GET", "/k", Fault::Stall, 1});
  EXPECT_EQ(store->get("k").body, body);
  EXPECT_EQ(proxy->matching_requests("GET", "/k"), 2u);
}

TEST(FaultProxy, PersistentCorruptionIsCorruptNeverBadBytes) {
  for (Fault fault : {Fault::FlipByte, Fault::ShortBody}) {
    auto proxy = make_rgw_proxy();
    auto config = proxied_config(*proxy, "");
    config.retry.max_attempts = 3;
    auto store = make_proxied_store(*proxy, "rel-corrupt", config);
    store->put("k", pattern(10'000, 5));
    proxy->add_rule({"GET", "/k", fault, -1});
    try {
      GetResult result = store->get("k");
      ADD_FAILURE() << fault_name(fault) << ": returned " << result.body.size() << " bytes";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::Corrupt) << error.what();
      EXPECT_NE(std::string(error.what()).find("s3://"), std::string::npos) << error.what();
    }
    Bytes into(10'000);
    EXPECT_EQ(error_code_of([&] { store->get_into("k", into); }), ErrorCode::Corrupt);
    EXPECT_EQ(proxy->matching_requests("GET", "/k"), 6u);
  }
}

TEST(FaultProxy, ATruncatedRangeThatPersistsIsAnErrorNeverShortBytes) {
  auto proxy = make_rgw_proxy();
  auto config = proxied_config(*proxy, "");
  config.retry.max_attempts = 3;
  auto store = make_proxied_store(*proxy, "rel-trunc", config);
  store->put("k", pattern(10'000, 6));
  proxy->add_rule({"GET", "/k", Fault::ShortBody, -1});
  EXPECT_EQ(error_code_of([&] { store->get("k", ByteRange::span(100, 5000)); }),
            ErrorCode::Corrupt);
  proxy->clear_rules();
  proxy->add_rule({"GET", "/k", Fault::TruncateBody, -1});
  EXPECT_EQ(error_code_of([&] { store->get("k", ByteRange::span(100, 5000)); }),
            ErrorCode::Unavailable);
}

TEST(FaultProxy, AMultipartUploadWhosePartsKeepFailingIsAborted) {
  for (Fault fault : {Fault::InternalError500, Fault::ResetBeforeResponse}) {
    auto proxy = make_rgw_proxy();
    auto config = proxied_config(*proxy, "");
    config.multipart_threshold = 64 << 10;
    config.retry.max_attempts = 3;
    auto store = make_proxied_store(*proxy, "rel-mpu", config);
    proxy->add_rule({"PUT", "partNumber=", fault, -1});
    EXPECT_EQ(error_code_of([&] { store->put("big", pattern(200'000, 7)); }),
              ErrorCode::Unavailable);
    // curl itself resends once on a reused connection that was reset before any answer.
    EXPECT_GE(proxy->matching_requests("PUT", "partNumber="), 3u);
    EXPECT_EQ(proxy->matching_requests("DELETE", "uploadId="), 1u);
    EXPECT_TRUE(store->list_multipart_uploads().empty()) << fault_name(fault);
    EXPECT_FALSE(store->head("big"));
  }
}

TEST(FaultProxy, RetriesStopWithinTheConfiguredTotalTime) {
  auto proxy = make_rgw_proxy();
  auto config = proxied_config(*proxy, "");
  config.retry.max_attempts = 100'000;
  config.retry.base_delay = std::chrono::milliseconds(20);
  config.retry.max_delay = std::chrono::milliseconds(100);
  config.retry.max_total = std::chrono::milliseconds(1000);
  auto store = make_proxied_store(*proxy, "rel-total", config);
  store->put("k", pattern(100, 8));
  proxy->add_rule({"GET", "/k", Fault::SlowDown503, -1});
  auto start = std::chrono::steady_clock::now();
  try {
    store->get("k");
    ADD_FAILURE() << "a bucket that always answers SlowDown gave an answer";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::Unavailable);
    EXPECT_NE(std::string(error.what()).find("gave up after"), std::string::npos);
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  std::uint64_t attempts = proxy->matching_requests("GET", "/k");
  EXPECT_GE(attempts, 2u);
  // No retry starts after max_total; the last attempt itself is quick. A generous bound: the
  // point is that the 100,000 attempts allowed are not all made.
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  EXPECT_LT(attempts, 1000u);
}

TEST(FaultProxy, RetriesStopAfterTheConfiguredAttempts) {
  auto proxy = make_rgw_proxy();
  auto config = proxied_config(*proxy, "");
  config.retry.max_attempts = 4;
  auto store = make_proxied_store(*proxy, "rel-attempts", config);
  proxy->add_rule({"PUT", "/k", Fault::TooManyRequests429, -1});
  EXPECT_EQ(error_code_of([&] { store->put("k", pattern(100, 9)); }), ErrorCode::Unavailable);
  EXPECT_EQ(proxy->matching_requests("PUT", "/k"), 4u);
}

TEST(FaultProxy, AnUploadDamagedOnItsWayIsRejectedByItsContentMd5) {
  // Without a signed payload hash, Content-MD5 (on the object and on each part) is what lets the
  // server refuse a body damaged on the way.
  auto proxy = make_rgw_proxy();
  auto config = proxied_config(*proxy, "");
  config.unsigned_payload = true;
  config.multipart_threshold = 64 << 10;
  auto store = make_proxied_store(*proxy, "rel-md5", config);
  Bytes small = pattern(1000, 10), big = pattern(100'000, 11);
  proxy->add_rule({"PUT", "/small", Fault::FlipRequestByte, 1});
  EXPECT_EQ(error_code_of([&] { store->put("small", small); }), ErrorCode::Corrupt);
  EXPECT_FALSE(store->head("small"));
  proxy->add_rule({"PUT", "partNumber=", Fault::FlipRequestByte, 1});
  EXPECT_EQ(error_code_of([&] { store->put("big", big); }), ErrorCode::Corrupt);
  EXPECT_FALSE(store->head("big"));
  EXPECT_TRUE(store->list_multipart_uploads().empty());
  store->put("big", big);
  EXPECT_EQ(store->get("big").body, big);
}

}  // namespace
}  // namespace ndbucket::testing
