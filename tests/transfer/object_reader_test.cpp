// ObjectReader in both modes: random seek/read sequences checked against the bytes (seeded, the
// seed printed), the buffer rules counted in requests, seeking rules, and a replaced object.
#include "ndbucket/transfer/object_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "support/test_util.hpp"
#include "transfer/transfer_test_support.hpp"

namespace ndbucket::testing {
namespace {

class ObjectReaderTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  bool is_remote() const { return GetParam().name == "rgw"; }
  std::shared_ptr<ObjectStore> store_;
};

// memcmp that accepts the null data() of an empty buffer.
bool same_bytes(const std::byte* a, const std::byte* b, std::size_t count) {
  return count == 0 || std::memcmp(a, b, count) == 0;
}

std::string describe(const ReaderOptions& options) {
  return options.mode == ReaderMode::Sequential
             ? "sequential, chunk " + std::to_string(options.chunk_size)
             : "ranged, buffer " + std::to_string(options.buffer_size);
}

// Runs `steps` random operations on a reader of `body` and checks each against a model.
void random_walk(ObjectReader& reader, const Bytes& body, std::uint64_t seed, int steps) {
  std::mt19937_64 rng(seed);
  const std::int64_t size = static_cast<std::int64_t>(body.size());
  std::uint64_t position = 0;
  auto pick = [&](std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(rng);
  };
  for (int step = 0; step < steps; ++step) {
    SCOPED_TRACE("step " + std::to_string(step) + " at " + std::to_string(position));
    switch (pick(0, 6)) {
      case 0:
      case 1: {  // read(n), mostly small, sometimes large
        std::uint64_t count = static_cast<std::uint64_t>(pick(0, 1) ? pick(0, 300) : pick(0, size));
        Bytes got = reader.read(count);
        std::uint64_t expect = std::min<std::uint64_t>(count, body.size() - position);
        ASSERT_EQ(got.size(), expect);
        ASSERT_TRUE(same_bytes(got.data(), body.data() + position, expect));
        position += expect;
        break;
      }
      case 2: {  // read_into
        Bytes into(static_cast<std::size_t>(pick(0, 5000)));
        std::size_t got = reader.read_into(into);
        std::uint64_t expect = std::min<std::uint64_t>(into.size(), body.size() - position);
        ASSERT_EQ(got, expect);
        ASSERT_TRUE(same_bytes(into.data(), body.data() + position, expect));
        position += expect;
        break;
      }
      case 3: {  // seek from the start, sometimes past the end
        std::int64_t target = pick(0, size + 100);
        ASSERT_EQ(reader.seek(target, Whence::Set), std::min(target, size));
        position = static_cast<std::uint64_t>(std::min(target, size));
        break;
      }
      case 4: {  // seek relative, forward or back (never before the start)
        std::int64_t delta = pick(-static_cast<std::int64_t>(position), 3000);
        std::int64_t target =
            std::min<std::int64_t>(static_cast<std::int64_t>(position) + delta, size);
        ASSERT_EQ(reader.seek(delta, Whence::Current), static_cast<std::uint64_t>(target));
        position = static_cast<std::uint64_t>(target);
        break;
      }
      case 5: {  // seek from the end
        std::int64_t back = pick(0, size);
        ASSERT_EQ(reader.seek(-back, Whence::End), static_cast<std::uint64_t>(size - back));
        position = static_cast<std::uint64_t>(size - back);
        break;
      }
      default:
        ASSERT_EQ(reader.tell(), position);
        if (pick(0, 3) == 0) reader.prefetch();
    }
    ASSERT_EQ(reader.tell(), position);
  }
  // Reading the rest returns exactly the rest.
  Bytes rest = reader.read();
  ASSERT_EQ(rest.size(), body.size() - position);
  ASSERT_TRUE(same_bytes(rest.data(), body.data() + position, rest.size()));
  ASSERT_TRUE(reader.read(10).empty());
}

TEST_P(ObjectReaderTest, RandomSeekAndReadSequencesMatchTheBytes) {
  const std::uint64_t seed = std::random_device{}();
  std::cout << "seed " << seed << " (rerun one with NDBUCKET_READER_SEED)" << std::endl;
  std::uint64_t base = seed;
  if (const char* fixed = std::getenv("NDBUCKET_READER_SEED")) base = std::stoull(fixed);
  const Bytes body = random_bytes(20011, base);
  store_->put("walk", body);
  std::vector<ReaderOptions> configs;
  for (std::uint64_t buffer : {0u, 1u, 7u, 512u, 4096u, 20011u, 1u << 23}) {
    configs.push_back({.mode = ReaderMode::Ranged, .buffer_size = buffer});
  }
  for (std::uint64_t chunk : {1u, 100u, 4096u, 1u << 23}) {
    configs.push_back({.mode = ReaderMode::Sequential, .chunk_size = chunk});
  }
  const int steps = is_remote() ? 40 : 300;
  for (std::size_t c = 0; c < configs.size(); ++c) {
    SCOPED_TRACE(describe(configs[c]) + ", seed " + std::to_string(base + c));
    // A chunk of 1 byte makes one request per byte: keep that walk short on a real server.
    int walk =
        (configs[c].mode == ReaderMode::Sequential && configs[c].chunk_size == 1) ? 10 : steps;
    if (walk == 10 && is_remote()) continue;
    ObjectReader reader(store_, "walk", configs[c]);
    random_walk(reader, body, base + c, walk);
    EXPECT_EQ(reader.size(), body.size());
  }
}

TEST_P(ObjectReaderTest, RangedBufferFillsOnSmallReadsAndIsBypassedByLargeOnes) {
  const Bytes body = random_bytes(10000, 5);
  store_->put("r", body);
  auto counting = std::make_shared<CountingStore>(store_);
  ObjectReader reader(counting, "r", {.mode = ReaderMode::Ranged, .buffer_size = 1000});
  Bytes part = reader.read(100);  // head + fill [0, 1000)
  ASSERT_EQ(counting->calls(), 2);
  EXPECT_TRUE(same_bytes(part.data(), body.data(), 100));
  reader.read(800);  // from the buffer
  EXPECT_EQ(counting->calls(), 2);
  // Overlaps the buffer's end: 100 bytes from memory, the other 50 fill [1000, 2000).
  part = reader.read(150);
  EXPECT_EQ(counting->calls(), 3);
  EXPECT_TRUE(same_bytes(part.data(), body.data() + 900, 150));
  // At least the buffer size: straight into the caller's memory, buffer kept.
  reader.seek(5000);
  part = reader.read(1000);
  EXPECT_EQ(counting->calls(), 4);
  EXPECT_TRUE(same_bytes(part.data(), body.data() + 5000, 1000));
  reader.seek(1500);
  part = reader.read(100);
  EXPECT_EQ(counting->calls(), 4);  // [1000, 2000) is still buffered
  EXPECT_TRUE(same_bytes(part.data(), body.data() + 1500, 100));

  auto unbuffered_count = std::make_shared<CountingStore>(store_);
  ObjectReader unbuffered(unbuffered_count, "r", {.mode = ReaderMode::Ranged, .buffer_size = 0});
  Bytes byte(1);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(unbuffered.read_into(byte), 1u);
  EXPECT_EQ(unbuffered_count->calls(), 6);  // a head, then every read is its own request
  EXPECT_EQ(static_cast<unsigned char>(byte[0]), static_cast<unsigned char>(body[4]));
}

TEST_P(ObjectReaderTest, SequentialReadsInChunksAndReadsAhead) {
  const Bytes body = random_bytes(10000, 6);
  store_->put("s", body);
  auto counting = std::make_shared<CountingStore>(store_);
  ObjectReader reader(counting, "s", {.mode = ReaderMode::Sequential, .chunk_size = 1000});
  Bytes all;
  Bytes piece(300);
  while (std::size_t got = reader.read_into(piece))
    all.insert(all.end(), piece.begin(), piece.begin() + got);
  EXPECT_TRUE(all == body);
  EXPECT_EQ(counting->calls(), 10);  // one GET per chunk, the first pins the object: no HEAD

  auto prefetched = std::make_shared<CountingStore>(store_, std::chrono::milliseconds(20));
  ObjectReader early(prefetched, "s", {.mode = ReaderMode::Sequential, .chunk_size = 4000});
  early.prefetch();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(prefetched->calls(), 1);  // running in the background before any read
  Bytes first = early.read(10);
  EXPECT_TRUE(same_bytes(first.data(), body.data(), 10));
}

TEST_P(ObjectReaderTest, SeekingRulesAndEmptyObjects) {
  store_->put("ten", to_bytes("0123456789"));
  for (ReaderMode mode : {ReaderMode::Sequential, ReaderMode::Ranged}) {
    ObjectReader reader(store_, "ten", {.mode = mode, .chunk_size = 4, .buffer_size = 4});
    EXPECT_EQ(reader.seek(3), 3u);
    try {
      reader.seek(-4, Whence::Current);
      ADD_FAILURE() << "seeking before the start succeeded";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
      EXPECT_NE(std::string(error.what()).find("ten"), std::string::npos);
    }
    EXPECT_EQ(reader.tell(), 3u);
    EXPECT_EQ(reader.seek(100), 10u);  // past the end stays at EOF
    EXPECT_TRUE(reader.read().empty());
    EXPECT_EQ(reader.seek(-3, Whence::End), 7u);
    EXPECT_EQ(as_string_view(reader.read()), "789");
    EXPECT_EQ(reader.seek(2, Whence::End), 10u);
    EXPECT_EQ(error_code_of([&] { reader.seek(-11, Whence::End); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(reader.tell(), 10u);
  }
}

TEST_P(ObjectReaderTest, EmptyMissingAndReplacedObjects) {
  store_->put("empty", {});
  for (ReaderMode mode : {ReaderMode::Sequential, ReaderMode::Ranged}) {
    ObjectReader empty(store_, "empty", {.mode = mode});
    Bytes some(10);
    EXPECT_EQ(empty.read_into(some), 0u);
    EXPECT_TRUE(empty.read().empty());
    EXPECT_EQ(empty.size(), 0u);

    ObjectReader missing(store_, "missing", {.mode = mode});
    EXPECT_EQ(error_code_of([&] { missing.read_into(some); }), ErrorCode::NotFound);
    EXPECT_EQ(error_code_of([&] { missing.size(); }), ErrorCode::NotFound);

    const Bytes first = random_bytes(5000, 1);
    store_->put("changing", first);
    ObjectReader reader(store_, "changing",
                        {.mode = mode, .chunk_size = 1000, .buffer_size = 1000});
    Bytes head = reader.read(10);
    EXPECT_TRUE(same_bytes(head.data(), first.data(), 10));
    store_->put("changing", random_bytes(5000, 2));
    reader.seek(3000);
    try {
      reader.read(10);
      ADD_FAILURE() << "read a replaced object without error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::Corrupt);
      EXPECT_NE(std::string(error.what()).find("changing"), std::string::npos);
    }
    // Replaced by a shorter object: the out-of-range read is explained as a replacement too.
    store_->put("changing", first);
    ObjectReader again(store_, "changing", {.mode = mode, .chunk_size = 1000, .buffer_size = 1000});
    EXPECT_EQ(again.size(), 5000u);
    store_->put("changing", random_bytes(100, 3));
    again.seek(4000);
    EXPECT_EQ(error_code_of([&] { again.read(10); }), ErrorCode::Corrupt);
  }
  EXPECT_EQ(error_code_of([&] {
              ObjectReader(store_, "k", {.mode = ReaderMode::Sequential, .chunk_size = 0});
            }),
            ErrorCode::InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjectReaderTest, ::testing::ValuesIn(transfer_backends()),
                         backend_name);

}  // namespace
}  // namespace ndbucket::testing
