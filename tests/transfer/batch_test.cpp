// get_many, put_many, head_many and list_recursive on every backend: order, per-item errors,
// return_missing, the concurrency bound, the memory budget, progress and cancellation.
#include "ndbucket/transfer/batch.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "support/test_util.hpp"
#include "transfer/transfer_test_support.hpp"

namespace ndbucket::testing {
namespace {

class BatchTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }

  bool is_remote() const { return GetParam().name == "rgw"; }

  // Puts `count` objects "<prefix>/<i>" of `size(i)` bytes and returns their bodies.
  std::vector<Bytes> put_objects(const std::string& prefix, std::size_t count,
                                 const std::function<std::size_t(std::size_t)>& size) {
    std::vector<Bytes> bodies;
    std::vector<PutRequest> requests;
    for (std::size_t i = 0; i < count; ++i) bodies.push_back(random_bytes(size(i), i + 1));
    for (std::size_t i = 0; i < count; ++i) {
      requests.push_back({prefix + "/" + std::to_string(i), bodies[i]});
    }
    for (const PutItem& item : put_many(*store_, requests)) {
      EXPECT_TRUE(item.ok()) << item.key << ": " << item.error->what();
    }
    return bodies;
  }

  std::shared_ptr<ObjectStore> store_;
};

TEST_P(BatchTest, GetManyReturnsEveryBodyInRequestOrder) {
  // Sizes cover an empty object, small ones and ones larger than the probe of this budget
  // (1 MiB / 4 workers = 256 KiB), which take the second request.
  std::vector<std::size_t> sizes = {0, 1, 100, 4096, 300 << 10, 7, 600 << 10, 0, 65536};
  auto bodies = put_objects("o", sizes.size(), [&](std::size_t i) { return sizes[i]; });
  std::vector<GetRequest> requests;
  for (std::size_t i = sizes.size(); i-- > 0;) requests.emplace_back("o/" + std::to_string(i));
  TransferOptions options;
  options.concurrency = 4;
  options.memory_budget = 1 << 20;
  auto results = get_many(*store_, requests, options);
  ASSERT_EQ(results.size(), requests.size());
  for (std::size_t r = 0; r < results.size(); ++r) {
    std::size_t i = sizes.size() - 1 - r;
    SCOPED_TRACE(results[r].key);
    ASSERT_TRUE(results[r].ok()) << results[r].error->what();
    EXPECT_EQ(results[r].key, "o/" + std::to_string(i));
    EXPECT_TRUE(results[r].exists);
    EXPECT_EQ(results[r].info.size, sizes[i]);
    EXPECT_FALSE(results[r].info.etag.empty());
    EXPECT_TRUE(results[r].body == bodies[i]);
  }
}

TEST_P(BatchTest, GetManyRangesReturnThoseBytes) {
  auto bodies = put_objects("r", 2, [](std::size_t i) { return i == 0 ? 1000 : 200000; });
  std::vector<GetRequest> requests = {{"r/0", 10, 20},
                                      {"r/0", 990, 100},
                                      {"r/1", 150000, std::nullopt},
                                      {"r/1", 0, 200000},
                                      {"r/0", 0, 1}};
  auto results = get_many(*store_, requests);
  ASSERT_EQ(results.size(), 5u);
  auto slice = [](const Bytes& b, std::size_t from, std::size_t to) {
    return Bytes(b.begin() + from, b.begin() + to);
  };
  for (auto& item : results) ASSERT_TRUE(item.ok()) << item.error->what();
  EXPECT_TRUE(results[0].body == slice(bodies[0], 10, 30));
  EXPECT_EQ(results[0].offset, 10u);
  EXPECT_EQ(results[0].info.size, 1000u);
  EXPECT_TRUE(results[1].body == slice(bodies[0], 990, 1000));  // cut at the end
  EXPECT_TRUE(results[2].body == slice(bodies[1], 150000, 200000));
  EXPECT_TRUE(results[3].body == bodies[1]);
  EXPECT_TRUE(results[4].body == slice(bodies[0], 0, 1));
}

TEST_P(BatchTest, MissingKeysAreErrorsOrAbsentWithReturnMissing) {
  put_objects("m", 3, [](std::size_t) { return 10; });
  std::vector<GetRequest> requests = {"m/0", "m/missing", "m/1", {"m/nope", 0, 5}, "m/2"};
  auto strict = get_many(*store_, requests);
  ASSERT_EQ(strict.size(), 5u);
  EXPECT_TRUE(strict[0].ok() && strict[2].ok() && strict[4].ok());
  for (std::size_t i : {1u, 3u}) {
    ASSERT_FALSE(strict[i].ok());
    EXPECT_FALSE(strict[i].exists);
    EXPECT_EQ(strict[i].error->code(), ErrorCode::NotFound);
    EXPECT_NE(std::string(strict[i].error->what()).find(requests[i].key), std::string::npos)
        << strict[i].error->what();
  }
  TransferOptions options;
  options.return_missing = true;
  auto lenient = get_many(*store_, requests, options);
  for (std::size_t i = 0; i < lenient.size(); ++i) {
    EXPECT_TRUE(lenient[i].ok()) << i;
    EXPECT_EQ(lenient[i].exists, i != 1 && i != 3) << i;
  }
  EXPECT_TRUE(lenient[1].body.empty());

  auto heads = head_many(*store_, {"m/0", "m/missing", "m/2"});
  EXPECT_TRUE(heads[0].ok() && heads[0].exists && heads[0].info.size == 10);
  EXPECT_EQ(heads[1].error->code(), ErrorCode::NotFound);
  EXPECT_TRUE(heads[2].ok() && heads[2].exists);
  auto lenient_heads = head_many(*store_, {"m/0", "m/missing"}, options);
  EXPECT_TRUE(lenient_heads[1].ok());
  EXPECT_FALSE(lenient_heads[1].exists);
}

TEST_P(BatchTest, EachItemCarriesItsOwnError) {
  put_objects("e", 2, [](std::size_t) { return 100; });
  std::vector<GetRequest> requests = {"e/0", "bad/../key", {"e/1", 100, 5}, {"e/1", 0, 0}, "e/1"};
  auto results = get_many(*store_, requests);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].error->code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(results[2].error->code(), ErrorCode::InvalidArgument);  // offset at the end
  EXPECT_EQ(results[3].error->code(), ErrorCode::InvalidArgument);  // zero length
  EXPECT_TRUE(results[4].ok());
  EXPECT_EQ(results[4].body.size(), 100u);

  Bytes body = to_bytes("x");
  auto puts = put_many(*store_, {{"e/ok", body}, {"", body}, {"e/./x", body}});
  EXPECT_TRUE(puts[0].ok());
  EXPECT_EQ(puts[1].error->code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(puts[2].error->code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(head_many(*store_, {"a/../b"})[0].error->code(), ErrorCode::InvalidArgument);
}

TEST_P(BatchTest, PutManyStoresEveryBodyWithOptionsAndReportsProgress) {
  std::vector<Bytes> bodies;
  for (std::size_t i = 0; i < 30; ++i) bodies.push_back(random_bytes(i * 37, i));
  std::vector<PutRequest> requests;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    requests.push_back({"p/" + std::to_string(i),
                        bodies[i],
                        {.metadata = {{"index", std::to_string(i)}}, .content_type = "text/x"}});
    total += bodies[i].size();
  }
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
  TransferOptions options;
  options.progress = [&](std::uint64_t done, std::uint64_t all) {
    std::lock_guard lock(mutex);
    reports.emplace_back(done, all);
  };
  auto results = put_many(*store_, requests, options);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error->what();
    EXPECT_EQ(results[i].key, requests[i].key);
    EXPECT_EQ(results[i].info.size, bodies[i].size());
  }
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back(), std::make_pair(total, total));
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].first, reports[i - 1].first);
  }
  auto heads = head_many(*store_, {"p/3", "p/29"});
  EXPECT_EQ(heads[0].info.metadata.at("index"), "3");
  EXPECT_EQ(heads[1].info.content_type, "text/x");
  EXPECT_EQ(heads[1].info.size, bodies[29].size());
}

TEST_P(BatchTest, GetManyProgressEndsAtTheTotalOfAllBodies) {
  auto bodies = put_objects("g", 20, [](std::size_t i) { return i * 1000; });
  std::vector<GetRequest> requests;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    requests.emplace_back("g/" + std::to_string(i));
    total += bodies[i].size();
  }
  requests.emplace_back("g/5", 100, 50);
  total += 50;
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
  TransferOptions options;
  options.progress = [&](std::uint64_t done, std::uint64_t all) {
    std::lock_guard lock(mutex);
    reports.emplace_back(done, all);
  };
  get_many(*store_, requests, options);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back(), std::make_pair(total, total));
  for (std::size_t i = 1; i < reports.size(); ++i) {
    EXPECT_GE(reports[i].first, reports[i - 1].first);
    EXPECT_GE(reports[i].second, reports[i - 1].second);
    EXPECT_LE(reports[i].first, reports[i].second);
  }
}

TEST_P(BatchTest, NoMoreRequestsRunAtOnceThanTheConcurrency) {
  put_objects("c", 40, [](std::size_t) { return 64; });
  auto counting = std::make_shared<CountingStore>(store_, std::chrono::milliseconds(5));
  std::vector<GetRequest> requests;
  for (std::size_t i = 0; i < 40; ++i) requests.emplace_back("c/" + std::to_string(i));
  TransferOptions options;
  options.concurrency = 3;
  auto results = get_many(*counting, requests, options);
  for (auto& item : results) EXPECT_TRUE(item.ok());
  EXPECT_LE(counting->max_in_flight(), 3);
  EXPECT_GE(counting->max_in_flight(), 2);  // the pool really runs in parallel

  std::vector<std::string> keys;
  for (std::size_t i = 0; i < 40; ++i) keys.push_back("c/" + std::to_string(i));
  auto heads_counting = std::make_shared<CountingStore>(store_, std::chrono::milliseconds(5));
  options.concurrency = 5;
  head_many(*heads_counting, keys, options);
  EXPECT_LE(heads_counting->max_in_flight(), 5);
  EXPECT_GE(heads_counting->max_in_flight(), 2);

  Bytes body = to_bytes("payload");
  std::vector<PutRequest> puts;
  for (std::size_t i = 0; i < 20; ++i) puts.push_back({"c/put" + std::to_string(i), body});
  auto puts_counting = std::make_shared<CountingStore>(store_, std::chrono::milliseconds(5));
  options.concurrency = 2;
  put_many(*puts_counting, puts, options);
  EXPECT_LE(puts_counting->max_in_flight(), 2);
}

// Counts the body bytes the store handed out and not yet released by the test's on_item.
class BytesInFlightStore : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override {
    GetResult result = ForwardingStore::get(key, range);
    raise_peak(peak_, in_flight_ += static_cast<std::int64_t>(result.body.size()));
    return result;
  }
  void handed_over(std::size_t bytes) { in_flight_ -= static_cast<std::int64_t>(bytes); }
  std::int64_t peak() const { return peak_; }

 private:
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> peak_{0};
};

TEST_P(BatchTest, BytesInFlightStayWithinTheMemoryBudget) {
  // 10,000 objects locally (the case the budget is for); fewer against a real server.
  const std::size_t count = is_remote() ? 300 : 10000;
  const std::size_t size = 1000;
  auto bodies = put_objects("b", count, [&](std::size_t) { return size; });
  auto watched = std::make_shared<BytesInFlightStore>(store_);
  std::vector<GetRequest> requests;
  for (std::size_t i = 0; i < count; ++i) requests.push_back({"b/" + std::to_string(i), 0, size});
  TransferOptions options;
  options.concurrency = 8;
  options.memory_budget = 4 * size;
  std::size_t seen = 0;
  get_many_each(*watched, requests, options, [&](std::size_t index, GetItem& item) {
    ASSERT_TRUE(item.ok()) << item.error->what();
    EXPECT_TRUE(item.body == bodies[index]);
    ++seen;
    // A slow consumer: finished items pile up unless the budget holds the workers back.
    if (index % 16 == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
    watched->handed_over(item.body.size());
  });
  EXPECT_EQ(seen, count);
  EXPECT_LE(watched->peak(), static_cast<std::int64_t>(options.memory_budget));
  EXPECT_GE(watched->peak(), static_cast<std::int64_t>(2 * size));  // still parallel

  // Whole-object requests reserve their probe first; the bound holds for them too.
  auto whole_watched = std::make_shared<BytesInFlightStore>(store_);
  std::vector<GetRequest> whole;
  for (std::size_t i = 0; i < std::min<std::size_t>(count, 500); ++i) {
    whole.emplace_back("b/" + std::to_string(i));
  }
  get_many_each(*whole_watched, whole, options, [&](std::size_t, GetItem& item) {
    ASSERT_TRUE(item.ok()) << item.error->what();
    whole_watched->handed_over(item.body.size());
  });
  EXPECT_LE(whole_watched->peak(), static_cast<std::int64_t>(options.memory_budget));
}

TEST_P(BatchTest, CancellingStopsPromptlyAndMarksTheRestUnavailable) {
  const std::size_t count = 200;
  put_objects("x", count, [](std::size_t) { return 100; });
  auto slow = std::make_shared<CountingStore>(store_, std::chrono::milliseconds(10));
  std::vector<GetRequest> requests;
  for (std::size_t i = 0; i < count; ++i) requests.emplace_back("x/" + std::to_string(i));
  TransferOptions options;
  options.concurrency = 4;
  options.progress = [&](std::uint64_t done, std::uint64_t) {
    if (done >= 500) options.cancel.cancel();
  };
  auto results = get_many(*slow, requests, options);
  std::size_t ok = 0;
  std::size_t cancelled = 0;
  for (auto& item : results) {
    if (item.ok()) {
      ++ok;
      EXPECT_EQ(item.body.size(), 100u);
    } else {
      EXPECT_EQ(item.error->code(), ErrorCode::Unavailable) << item.error->what();
      EXPECT_NE(std::string(item.error->what()).find("cancelled"), std::string::npos);
      ++cancelled;
    }
  }
  EXPECT_GE(ok, 5u);
  EXPECT_GT(cancelled, count / 2);
  // Requests already running when the token flipped finish; nothing new starts.
  EXPECT_LE(slow->calls(), static_cast<std::int64_t>(ok + options.concurrency));

  TransferOptions already;
  already.cancel.cancel();
  auto none = std::make_shared<CountingStore>(store_);
  for (auto& item : get_many(*none, requests, already)) {
    EXPECT_EQ(item.error->code(), ErrorCode::Unavailable);
  }
  for (auto& item : head_many(*none, {"x/1", "x/2"}, already)) {
    EXPECT_EQ(item.error->code(), ErrorCode::Unavailable);
  }
  Bytes body = to_bytes("b");
  for (auto& item : put_many(*none, {{"x/new", body}}, already)) {
    EXPECT_EQ(item.error->code(), ErrorCode::Unavailable);
  }
  EXPECT_EQ(none->calls(), 0);
  EXPECT_FALSE(store_->exists("x/new"));
  EXPECT_EQ(error_code_of([&] { list_recursive(*store_, {"x/"}, already); }),
            ErrorCode::Unavailable);
}

TEST_P(BatchTest, CancellingWhileWaitingForTheBudgetStops) {
  put_objects("w", 50, [](std::size_t) { return 1000; });
  std::vector<GetRequest> requests;
  for (std::size_t i = 0; i < 50; ++i) requests.push_back({"w/" + std::to_string(i), 0, 1000});
  TransferOptions options;
  options.memory_budget = 1000;  // one item at a time
  std::size_t delivered = 0;
  get_many_each(*store_, requests, options, [&](std::size_t, GetItem& item) {
    // The consumer cancels while holding the only slot: workers waiting for it must give up.
    if (item.ok() && ++delivered == 3) options.cancel.cancel();
  });
  EXPECT_LE(delivered, 3u + options.concurrency);
}

TEST_P(BatchTest, AnExceptionFromOnItemStopsTheTransferAndIsRethrown) {
  put_objects("t", 30, [](std::size_t) { return 10; });
  std::vector<GetRequest> requests;
  for (std::size_t i = 0; i < 30; ++i) requests.emplace_back("t/" + std::to_string(i));
  std::size_t calls = 0;
  TransferOptions options;
  options.concurrency = 2;
  EXPECT_THROW(get_many_each(*store_, requests, options,
                             [&](std::size_t, GetItem&) {
                               if (++calls == 2) throw std::runtime_error("consumer failed");
                             }),
               std::runtime_error);
  EXPECT_EQ(calls, 2u);
}

TEST_P(BatchTest, ListRecursiveListsEachPrefixInOrder) {
  Bytes body = to_bytes("v");
  put_many(*store_, {{"a/0.txt", body},
                     {"a/b/1.txt", body},
                     {"a/c/2.txt", body},
                     {"a/d/e/3.txt", body},
                     {"f/4.txt", body},
                     {"g/5.txt", body}});
  auto listed = list_recursive(*store_, {"f/", "a/", "nothing/"});
  std::vector<std::string> keys;
  for (auto& info : listed) keys.push_back(info.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"f/4.txt", "a/0.txt", "a/b/1.txt", "a/c/2.txt",
                                            "a/d/e/3.txt"}));
  EXPECT_EQ(listed[0].size, 1u);
}

TEST_P(BatchTest, BadOptionsAreInvalidArgument) {
  TransferOptions zero_workers;
  zero_workers.concurrency = 0;
  EXPECT_EQ(error_code_of([&] { get_many(*store_, {"k"}, zero_workers); }),
            ErrorCode::InvalidArgument);
  TransferOptions zero_budget;
  zero_budget.memory_budget = 0;
  EXPECT_EQ(error_code_of([&] { put_many(*store_, {}, zero_budget); }), ErrorCode::InvalidArgument);
  EXPECT_TRUE(get_many(*store_, {}).empty());
}

INSTANTIATE_TEST_SUITE_P(Stores, BatchTest, ::testing::ValuesIn(transfer_backends()), backend_name);

}  // namespace
}  // namespace ndbucket::testing
