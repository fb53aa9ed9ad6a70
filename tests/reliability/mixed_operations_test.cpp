// 1,000 mixed operations through the fault proxy at a 10% fault rate, checked against a model:
// every operation must succeed (retries absorb the faults) and the bucket must end holding exactly
// the model's objects and bytes.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "ndbucket/core/error.hpp"
#include "reliability/proxy_fixture.hpp"

namespace ndbucket::testing {
namespace {

constexpr int kOperations = 1000;

class MixedOperations : public ::testing::Test {
 protected:
  std::mt19937_64 random{20261123};
  std::map<std::string, Bytes> model;

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  }

  Bytes random_bytes(std::size_t size) {
    Bytes bytes(size);
    for (auto& b : bytes) b = static_cast<std::byte>(random());
    return bytes;
  }

  // A key in a small key space, so operations often meet existing objects.
  std::string any_key() { return "d" + std::to_string(pick(3)) + "/k" + std::to_string(pick(25)); }

  // A key the model holds, or nullopt when it holds none.
  std::optional<std::string> existing_key() {
    if (model.empty()) return std::nullopt;
    auto it = model.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(pick(model.size())));
    return it->first;
  }
};

TEST_F(MixedOperations, ATenPercentFaultRateEndsWithExactlyTheRightData) {
  FaultProxyOptions options;
  options.fault_probability = 0.10;
  options.seed = 7;
  auto proxy = make_rgw_proxy(options);
  auto config = proxied_config(*proxy, "");
  config.multipart_threshold = 64 << 10;  // bodies above go multipart: one part below 5 MiB
  config.retry.max_attempts = 12;
  auto store = make_proxied_store(*proxy, "rel-mixed", config);

  std::map<std::string, int> done;
  int large_multipart = 0;
  for (int op = 0; op < kOperations; ++op) {
    std::size_t kind = pick(100);
    SCOPED_TRACE("operation " + std::to_string(op));
    if (kind < 22) {
      std::string key = any_key();
      Bytes body = random_bytes(pick(20'000));
      store->put(key, body);
      model[key] = std::move(body);
      ++done["put"];
    } else if (kind < 32) {
      std::string key = any_key();
      // A few uploads of two parts (S3's 5 MiB minimum part); the rest one part.
      bool two_parts = large_multipart < 3 && pick(20) == 0;
      Bytes body = random_bytes(two_parts ? (5u << 20) + 1000 : (64u << 10) + pick(60'000));
      large_multipart += two_parts;
      ObjectInfo info = store->put(key, body);
      EXPECT_NE(info.etag.find('-'), std::string::npos) << "not a multipart upload";
      model[key] = std::move(body);
      ++done["multipart put"];
    } else if (kind < 47) {
      std::string key = existing_key().value_or(any_key());
      if (auto it = model.find(key); it != model.end()) {
        if (pick(2) == 0) {
          ASSERT_EQ(store->get(key).body, it->second) << key;
        } else {
          Bytes into(it->second.size());
          store->get_into(key, into);
          ASSERT_EQ(into, it->second) << key;
        }
      } else {
        ASSERT_FALSE(store->try_get(key)) << key;
      }
      ++done["get"];
    } else if (kind < 62) {
      auto key = existing_key();
      if (!key || model[*key].empty()) continue;
      const Bytes& expected = model[*key];
      std::uint64_t offset = pick(expected.size());
      std::uint64_t length = 1 + pick(expected.size() - offset);
      Bytes want(expected.begin() + static_cast<std::ptrdiff_t>(offset),
                 expected.begin() + static_cast<std::ptrdiff_t>(offset + length));
      ASSERT_EQ(store->get(*key, ByteRange::span(offset, length)).body, want) << *key;
      ++done["ranged get"];
    } else if (kind < 72) {
      std::string prefix = "d" + std::to_string(pick(3)) + "/";
      std::vector<std::pair<std::string, std::uint64_t>> listed, expected;
      for (const ObjectInfo& info : store->list(prefix).objects)
        listed.emplace_back(info.key, info.size);
      for (const auto& [key, bytes] : model) {
        if (key.starts_with(prefix)) expected.emplace_back(key, bytes.size());
      }
      ASSERT_EQ(listed, expected) << prefix;
      ++done["list"];
    } else if (kind < 84) {
      auto source = existing_key();
      if (!source) continue;
      std::string destination = any_key();
      if (destination == *source) continue;  // S3 refuses a copy onto itself
      store->copy(*source, destination);
      model[destination] = model[*source];
      ++done["copy"];
    } else if (kind < 94) {
      std::string key = existing_key().value_or(any_key());
      store->remove(key);
      model.erase(key);
      ++done["delete"];
    } else {
      std::string key = any_key();
      auto info = store->head(key);
      auto it = model.find(key);
      ASSERT_EQ(info.has_value(), it != model.end()) << key;
      if (info) {
        ASSERT_EQ(info->size, it->second.size()) << key;
      }
      ++done["head"];
    }
  }

  // The end state, read through the same faults.
  std::vector<std::string> keys;
  for (const ObjectInfo& info : store->list("").objects) keys.push_back(info.key);
  std::vector<std::string> expected_keys;
  for (const auto& [key, bytes] : model) expected_keys.push_back(key);
  EXPECT_EQ(keys, expected_keys);
  for (const auto& [key, bytes] : model) EXPECT_EQ(store->get(key).body, bytes) << key;
  EXPECT_TRUE(store->list_multipart_uploads().empty());

  std::string summary;
  for (const auto& [name, count] : done) summary += name + " " + std::to_string(count) + ", ";
  for (std::size_t f = 1; f < kFaultKinds; ++f) {
    summary += std::string(fault_name(static_cast<Fault>(f))) + "=" +
               std::to_string(proxy->faults(static_cast<Fault>(f))) + " ";
  }
  std::cout << summary << "| " << proxy->faults() << " faults in " << proxy->requests()
            << " requests\n";
  for (const char* operation :
       {"put", "multipart put", "get", "ranged get", "list", "copy", "delete"}) {
    EXPECT_GT(done[operation], 20) << operation;
  }
  EXPECT_GE(large_multipart, 1);
  // About one request in ten was faulted, detectable body damage included.
  EXPECT_GT(proxy->faults(), proxy->requests() / 20);
  EXPECT_GT(proxy->faults(Fault::FlipByte) + proxy->faults(Fault::ShortBody), 0u);
  EXPECT_GT(proxy->faults(Fault::TruncateBody) + proxy->faults(Fault::ResetMidBody), 0u);
}

}  // namespace
}  // namespace ndbucket::testing
