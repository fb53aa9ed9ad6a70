// Dataset from a prefix and from keys, every object read through its reader, and sharding that
// covers every key exactly once across workers with a stable assignment.
#include "ndbucket/transfer/dataset.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ndbucket/transfer/batch.hpp"
#include "support/test_util.hpp"
#include "transfer/transfer_test_support.hpp"

namespace ndbucket::testing {
namespace {

class DatasetTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }

  // Puts `count` objects under "data/" whose bodies name their keys.
  std::vector<std::string> put_objects(std::size_t count) {
    std::vector<std::string> keys;
    std::vector<std::string> bodies;
    for (std::size_t i = 0; i < count; ++i) {
      keys.push_back("data/" + std::to_string(i / 10) + "/item" + std::to_string(i));
      bodies.push_back("body of " + keys.back());
    }
    std::vector<PutRequest> requests;
    for (std::size_t i = 0; i < count; ++i) requests.push_back({keys[i], as_bytes(bodies[i])});
    for (auto& item : put_many(*store_, requests)) EXPECT_TRUE(item.ok());
    store_->put("other/outside", to_bytes("not in the dataset"));
    return keys;
  }

  std::shared_ptr<ObjectStore> store_;
};

TEST_P(DatasetTest, FromPrefixYieldsAReaderPerObjectInKeyOrder) {
  auto keys = put_objects(25);
  std::sort(keys.begin(), keys.end());
  Dataset dataset = Dataset::from_prefix(store_, "data/");
  EXPECT_EQ(dataset.keys(), keys);
  std::size_t index = 0;
  for (ObjectReader reader : dataset) {
    ASSERT_LT(index, keys.size());
    EXPECT_EQ(reader.key(), keys[index]);
    EXPECT_EQ(as_string_view(reader.read()), "body of " + keys[index]);
    ++index;
  }
  EXPECT_EQ(index, keys.size());
  EXPECT_EQ(error_code_of([&] { dataset.reader(25); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(Dataset::from_prefix(store_, "nothing/").size(), 0u);
}

TEST_P(DatasetTest, FromKeysKeepsTheGivenOrderAndReaderOptions) {
  put_objects(5);
  std::vector<std::string> keys = {"data/0/item3", "other/outside", "data/0/item1", "missing"};
  DatasetOptions options;
  options.reader = {.mode = ReaderMode::Ranged, .buffer_size = 4};
  Dataset dataset = Dataset::from_keys(store_, keys, options);
  ASSERT_EQ(dataset.keys(), keys);
  ObjectReader reader = dataset.reader(1);
  reader.seek(4);
  EXPECT_EQ(as_string_view(reader.read(2)), "in");
  EXPECT_EQ(as_string_view(dataset.reader(2).read()), "body of data/0/item1");
  EXPECT_EQ(error_code_of([&] { dataset.reader(3).read(); }), ErrorCode::NotFound);
}

TEST_P(DatasetTest, ShardsCoverEveryKeyExactlyOnceAndStayStable) {
  auto keys = put_objects(GetParam().name == "rgw" ? 60 : 300);
  for (std::size_t workers : {1u, 2u, 3u, 7u}) {
    SCOPED_TRACE(std::to_string(workers) + " workers");
    std::map<std::string, int> seen;
    std::vector<std::set<std::string>> shards(workers);
    for (std::size_t w = 0; w < workers; ++w) {
      DatasetOptions options;
      options.shard_index = w;
      options.shard_count = workers;
      Dataset from_prefix = Dataset::from_prefix(store_, "data/", options);
      for (const auto& key : from_prefix.keys()) {
        ++seen[key];
        shards[w].insert(key);
        EXPECT_EQ(shard_of(key, workers), w);
      }
      // A key list in another order, with keys missing, shards the same way.
      std::vector<std::string> reversed(keys.rbegin(), keys.rend() - 5);
      Dataset from_keys = Dataset::from_keys(store_, reversed, options);
      for (const auto& key : from_keys.keys()) {
        EXPECT_TRUE(shards[w].count(key)) << key << " moved to worker " << w;
      }
      if (workers > 1 && keys.size() >= 60) {
        EXPECT_GT(shards[w].size(), keys.size() / workers / 3) << "very uneven shards";
      }
    }
    EXPECT_EQ(seen.size(), keys.size());
    for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key;
  }
  DatasetOptions bad;
  bad.shard_index = 3;
  bad.shard_count = 3;
  EXPECT_EQ(error_code_of([&] { Dataset::from_prefix(store_, "data/", bad); }),
            ErrorCode::InvalidArgument);
  bad.shard_count = 0;
  EXPECT_EQ(error_code_of([&] { Dataset::from_keys(store_, {"a"}, bad); }),
            ErrorCode::InvalidArgument);
}

TEST(ShardOfTest, IsAFixedFunctionOfTheKey) {
  // Pinned values: a change of hash would silently reshuffle every running job's shards.
  EXPECT_EQ(shard_of("", 1000), 14695981039346656037ull % 1000);
  EXPECT_EQ(shard_of("a", 1u << 31), 0xaf63dc4c8601ec8cull % (1u << 31));
  EXPECT_EQ(shard_of("anything", 1), 0u);
  EXPECT_EQ(error_code_of([] { shard_of("k", 0); }), ErrorCode::InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, DatasetTest, ::testing::ValuesIn(transfer_backends()),
                         backend_name);

}  // namespace
}  // namespace ndbucket::testing
