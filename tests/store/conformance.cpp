#include "store/conformance.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "ndbucket/core/error.hpp"
#include "ndbucket/store/file_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {

namespace fs = std::filesystem;

namespace {

std::string text(const Bytes& bytes) { return std::string(as_string_view(bytes)); }

std::vector<std::string> keys_of(const ListResult& listing) {
  std::vector<std::string> keys;
  for (const ObjectInfo& info : listing.objects) keys.push_back(info.key);
  return keys;
}

TEST_P(StoreConformance, BodiesOfEverySizeRoundTrip) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{5 * 1024 * 1024 + 1}}) {
    SCOPED_TRACE(size);
    std::string key = "bodies/size-" + std::to_string(size);
    Bytes body = random_bytes(size, size);
    ObjectInfo written = store_->put(key, body);
    EXPECT_EQ(written.size, size);
    EXPECT_EQ(written.key, key);
    EXPECT_FALSE(written.etag.empty());
    GetResult read = store_->get(key);
    EXPECT_TRUE(read.body == body);
    EXPECT_EQ(read.info.size, size);
    EXPECT_EQ(read.info.etag, written.etag);
    auto info = store_->head(key);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->size, size);
    EXPECT_TRUE(store_->exists(key));
  }
}

TEST_P(StoreConformance, MetadataAndContentTypeRoundTrip) {
  PutOptions options;
  // An empty value too: cottoncandy's shape of a 0-d array (curl drops empty headers unless told).
  options.metadata = {
      {"DType", "<f8"}, {"shape", "2,3"}, {"empty", ""}, {"note", "h\xc3\xa9llo w\xc3\xb6rld"}};
  options.content_type = "application/x-npy";
  store_->put("meta/array", as_bytes("0123456789"), options);
  Metadata expected = {
      {"dtype", "<f8"}, {"shape", "2,3"}, {"empty", ""}, {"note", "h\xc3\xa9llo w\xc3\xb6rld"}};
  auto info = store_->head("meta/array");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata, expected);
  EXPECT_EQ(info->content_type, "application/x-npy");
  GetResult read = store_->get("meta/array", ByteRange::span(2, 3));
  EXPECT_EQ(text(read.body), "234");
  EXPECT_EQ(read.info.metadata, expected);
  EXPECT_EQ(read.info.content_type, "application/x-npy");
  EXPECT_EQ(read.info.size, 10u);

  store_->put("meta/plain", as_bytes("x"));
  info = store_->head("meta/plain");
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->metadata.empty());
  EXPECT_EQ(info->content_type, kDefaultContentType);
}

TEST_P(StoreConformance, RangedReadsFollowS3) {
  Bytes body = random_bytes(1000, 7);
  store_->put("range/obj", body);
  auto slice = [&](std::size_t begin, std::size_t end) {
    return Bytes(body.begin() + static_cast<std::ptrdiff_t>(begin),
                 body.begin() + static_cast<std::ptrdiff_t>(end));
  };
  EXPECT_EQ(store_->get("range/obj", ByteRange::span(0, 10)).body, slice(0, 10));
  EXPECT_EQ(store_->get("range/obj", ByteRange::span(400, 50)).body, slice(400, 450));
  EXPECT_EQ(store_->get("range/obj", ByteRange::from(990)).body, slice(990, 1000));
  EXPECT_EQ(store_->get("range/obj", ByteRange::span(995, 100)).body, slice(995, 1000));
  EXPECT_EQ(store_->get("range/obj", ByteRange::last(10)).body, slice(990, 1000));
  EXPECT_EQ(store_->get("range/obj", ByteRange::last(5000)).body, body);
  EXPECT_EQ(store_->get("range/obj", ByteRange::from(999)).body, slice(999, 1000));
  EXPECT_EQ(error_code_of([&] { store_->get("range/obj", ByteRange::from(1000)); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { store_->get("range/obj", ByteRange::from(5000)); }),
            ErrorCode::InvalidArgument);
  store_->put("range/empty", {});
  EXPECT_EQ(error_code_of([&] { store_->get("range/empty", ByteRange::from(0)); }),
            ErrorCode::InvalidArgument);
  EXPECT_TRUE(store_->get("range/empty").body.empty());
}

TEST_P(StoreConformance, GetIntoWritesStraightIntoTheCallersBuffer) {
  Bytes body = random_bytes(300'000, 11);
  store_->put("into/obj", body, {{{"k", "v"}}});
  Bytes whole(body.size());
  ObjectInfo info = store_->get_into("into/obj", whole);
  EXPECT_TRUE(whole == body);
  EXPECT_EQ(info.size, body.size());
  EXPECT_EQ(info.metadata.at("k"), "v");
  Bytes part(1000);
  info = store_->get_into("into/obj", part, ByteRange::span(5000, 1000));
  EXPECT_TRUE(std::equal(part.begin(), part.end(), body.begin() + 5000));
  EXPECT_EQ(info.size, body.size());
  Bytes tail(10);
  store_->get_into("into/obj", tail, ByteRange::last(10));
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), body.end() - 10));
  Bytes too_small(body.size() - 1);
  EXPECT_EQ(error_code_of([&] { store_->get_into("into/obj", too_small); }),
            ErrorCode::InvalidArgument);
  Bytes too_large(body.size() + 1);
  EXPECT_EQ(error_code_of([&] { store_->get_into("into/obj", too_large); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { store_->get_into("into/missing", part); }), ErrorCode::NotFound);
  store_->put("into/empty", {});
  EXPECT_EQ(store_->get_into("into/empty", MutableByteSpan{}).size, 0u);
}

TEST_P(StoreConformance, ListsTwentyFiveHundredKeysWithAndWithoutDelimiter) {
  std::vector<std::string> expected;
  for (int i = 0; i < 2500; ++i) {
    char key[64];
    if (i % 10 == 0) {
      std::snprintf(key, sizeof key, "list/top-%04d", i);
    } else {
      std::snprintf(key, sizeof key, "list/d%d/k%04d", i % 4, i);
    }
    expected.push_back(key);
  }
  store_->put("lis", as_bytes("not under list/"));
  store_->put("list-sibling", as_bytes("not under list/"));
  // Eight writers: a FileStore put is durable (fsync), so one writer would dominate the test.
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (std::size_t i = static_cast<std::size_t>(t); i < expected.size(); i += 8) {
        store_->put(expected[i], as_bytes(expected[i]));
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  std::sort(expected.begin(), expected.end());

  ListResult all = store_->list("list/");
  EXPECT_EQ(keys_of(all), expected);
  EXPECT_TRUE(all.common_prefixes.empty());
  for (const ObjectInfo& info : all.objects) EXPECT_EQ(info.size, info.key.size());

  ListResult level = store_->list("list/", {.delimiter = "/"});
  EXPECT_EQ(level.common_prefixes,
            (std::vector<std::string>{"list/d0/", "list/d1/", "list/d2/", "list/d3/"}));
  EXPECT_EQ(level.objects.size(), 250u);
  for (const ObjectInfo& info : level.objects) EXPECT_TRUE(info.key.starts_with("list/top-"));

  std::vector<std::size_t> page_sizes;
  std::vector<std::string> paged;
  store_->list_pages("list/", {.page_size = 1000}, [&](ListPage& page) {
    page_sizes.push_back(page.objects.size() + page.common_prefixes.size());
    for (const ObjectInfo& info : page.objects) paged.push_back(info.key);
    return true;
  });
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{1000, 1000, 500}));
  EXPECT_EQ(paged, expected);

  int calls = 0;
  store_->list_pages("list/", {.page_size = 100}, [&](ListPage&) { return ++calls < 2; });
  EXPECT_EQ(calls, 2);

  // A prefix need not end at a '/'.
  ListResult partial = store_->list("list/d1/k00");
  std::vector<std::string> expected_partial;
  std::copy_if(expected.begin(), expected.end(), std::back_inserter(expected_partial),
               [](const std::string& key) { return key.starts_with("list/d1/k00"); });
  EXPECT_FALSE(expected_partial.empty());
  EXPECT_EQ(keys_of(partial), expected_partial);

  ListResult top = store_->list("lis", {.delimiter = "/"});
  EXPECT_EQ(keys_of(top), (std::vector<std::string>{"lis", "list-sibling"}));
  EXPECT_EQ(top.common_prefixes, std::vector<std::string>{"list/"});
  EXPECT_TRUE(store_->list("nothing/here").objects.empty());
}

TEST_P(StoreConformance, ListsInByteOrder) {
  // '-' (0x2d) sorts before '/' (0x2f), which sorts before '0': S3 order is byte order, not a
  // depth-first directory walk.
  std::vector<std::string> keys = {"o/a/x", "o/a-b", "o/a0", "o/a/y/z", "o/B", "o/\xc3\xa9"};
  for (const std::string& key : keys) store_->put(key, as_bytes(key));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys_of(store_->list("o/")), keys);
  ListResult level = store_->list("o/", {.delimiter = "/"});
  EXPECT_EQ(keys_of(level), (std::vector<std::string>{"o/B", "o/a-b", "o/a0", "o/\xc3\xa9"}));
  EXPECT_EQ(level.common_prefixes, std::vector<std::string>{"o/a/"});
  ListResult dashed = store_->list("o/", {.delimiter = "-"});
  EXPECT_EQ(dashed.common_prefixes, std::vector<std::string>{"o/a-"});
  EXPECT_EQ(dashed.objects.size(), 5u);
}

TEST_P(StoreConformance, AwkwardKeysRoundTrip) {
  std::vector<std::string> keys = {"awk/with space/a b.bin",
                                   "awk/unicode/\xc3\xa9t\xc3\xa9/\xe4\xb8\xad\xf0\x9f\x99\x82",
                                   "awk/plus+sign",
                                   "awk/percent%20and%",
                                   "awk/equals=sign&amp",
                                   "awk/tilde~quote'semi;colon",
                                   "awk/..dots",
                                   "awk/.hidden"};
  for (const std::string& key : keys) store_->put(key, as_bytes("body of " + key));
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    EXPECT_EQ(text(store_->get(key).body), "body of " + key);
    EXPECT_TRUE(store_->head(key).has_value());
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys_of(store_->list("awk/")), keys);
  for (const std::string& key : keys) store_->remove(key);
  EXPECT_TRUE(store_->list("awk/").objects.empty());
}

TEST_P(StoreConformance, OverwriteReplacesBodyAndMetadata) {
  ObjectInfo first = store_->put("ow/key", as_bytes("first version"), {{{"v", "1"}}, "text/plain"});
  ObjectInfo second = store_->put("ow/key", as_bytes("2nd"));
  EXPECT_NE(first.etag, second.etag);
  GetResult read = store_->get("ow/key");
  EXPECT_EQ(text(read.body), "2nd");
  EXPECT_TRUE(read.info.metadata.empty());
  EXPECT_EQ(read.info.content_type, kDefaultContentType);
  store_->put("ow/key", as_bytes("third"), {{{"v", "3"}}, "text/plain"});
  EXPECT_EQ(store_->head("ow/key")->metadata, (Metadata{{"v", "3"}}));
  EXPECT_EQ(store_->list("ow/").objects.size(), 1u);
}

TEST_P(StoreConformance, RemoveIsIdempotentAndMissingKeysAreNotFound) {
  store_->remove("rm/never-existed");
  store_->put("rm/key", as_bytes("x"));
  store_->remove("rm/key");
  store_->remove("rm/key");
  EXPECT_FALSE(store_->head("rm/key").has_value());
  EXPECT_FALSE(store_->exists("rm/key"));
  EXPECT_FALSE(store_->try_get("rm/key").has_value());
  try {
    store_->get("rm/key");
    FAIL() << "get of a removed key succeeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::NotFound);
    EXPECT_NE(std::string(error.what()).find("rm/key"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(store_->url()), std::string::npos) << error.what();
  }
  EXPECT_TRUE(store_->list("rm/").objects.empty());
}

TEST_P(StoreConformance, RemoveManyReportsEachKey) {
  store_->put("many/a", as_bytes("a"));
  store_->put("many/b", as_bytes("b"));
  auto errors = store_->remove_many({"many/a", "many/missing", "../bad", "many/b"});
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_FALSE(errors[0].has_value());
  EXPECT_FALSE(errors[1].has_value());
  ASSERT_TRUE(errors[2].has_value());
  EXPECT_EQ(errors[2]->code(), ErrorCode::InvalidArgument);
  EXPECT_FALSE(errors[3].has_value());
  EXPECT_TRUE(store_->list("many/").objects.empty());
}

TEST_P(StoreConformance, CopyKeepsMetadataAndContentType) {
  store_->put("cp/src", as_bytes("payload"), {{{"dtype", "<i4"}, {"shape", "7"}}, "text/x-test"});
  store_->put("cp/dst", as_bytes("to be replaced"));
  ObjectInfo copied = store_->copy("cp/src", "cp/dst");
  EXPECT_EQ(copied.size, 7u);
  GetResult read = store_->get("cp/dst");
  EXPECT_EQ(text(read.body), "payload");
  EXPECT_EQ(read.info.metadata, (Metadata{{"dtype", "<i4"}, {"shape", "7"}}));
  EXPECT_EQ(read.info.content_type, "text/x-test");
  EXPECT_EQ(text(store_->get("cp/src").body), "payload");
  store_->copy("cp/src", "cp/deeper/copy");
  EXPECT_EQ(text(store_->get("cp/deeper/copy").body), "payload");
  EXPECT_EQ(error_code_of([&] { store_->copy("cp/missing", "cp/x"); }), ErrorCode::NotFound);
  EXPECT_FALSE(store_->exists("cp/x"));
}

TEST_P(StoreConformance, RefusesInvalidKeys) {
  using namespace std::string_literals;
  for (const std::string& key : {""s, "../x"s, "a/../../x"s, "a/./b"s, ".."s, "a\0b"s}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(error_code_of([&] { store_->put(key, as_bytes("x")); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(error_code_of([&] { store_->get(key); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(error_code_of([&] { store_->head(key); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(error_code_of([&] { store_->remove(key); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(error_code_of([&] { store_->copy("x", key); }), ErrorCode::InvalidArgument);
  }
  EXPECT_TRUE(store_->list("").objects.empty());
}

TEST_P(StoreConformance, KeySegmentsFollowTheBackendsCapabilities) {
  store_->put("seg/a", as_bytes("file"));
  if (store_->capabilities().arbitrary_key_segments) {
    for (const char* key : {"seg//double", "seg/trailing/", "/leading"}) {
      store_->put(key, as_bytes(key));
      EXPECT_EQ(text(store_->get(key).body), key);
    }
    store_->put("seg/a/b", as_bytes("under a file"));
    EXPECT_EQ(text(store_->get("seg/a").body), "file");
  } else {
    for (const char* key : {"seg//double", "seg/trailing/", "/leading"}) {
      EXPECT_EQ(error_code_of([&] { store_->put(key, as_bytes("x")); }),
                ErrorCode::InvalidArgument);
    }
    EXPECT_EQ(error_code_of([&] { store_->put("seg/a/b", as_bytes("x")); }),
              ErrorCode::Unsupported);
    store_->put("seg/dir/x", as_bytes("x"));
    EXPECT_EQ(error_code_of([&] { store_->put("seg/dir", as_bytes("x")); }),
              ErrorCode::Unsupported);
    EXPECT_EQ(text(store_->get("seg/a").body), "file");
    EXPECT_EQ(text(store_->get("seg/dir/x").body), "x");
    EXPECT_EQ(keys_of(store_->list("seg/")), (std::vector<std::string>{"seg/a", "seg/dir/x"}));
  }
}

// Each writer's body is one repeated byte and its metadata names that byte, so a reader can tell
// a torn body or a body paired with another version's metadata.
TEST_P(StoreConformance, EightThreadsPutAndGetAtOnce) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 40;
  std::atomic<int> failures{0};
  store_->put("mt/shared", Bytes(4096, std::byte{'a'}), {{{"writer", "a"}}});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      char mark = static_cast<char>('a' + t);
      std::string own = "mt/own-" + std::to_string(t);
      for (int round = 0; round < kRounds; ++round) {
        try {
          Bytes body(4096 + static_cast<std::size_t>(round), static_cast<std::byte>(mark));
          store_->put("mt/shared", body, {{{"writer", std::string(1, mark)}}});
          store_->put(own, body);
          if (store_->get(own).body != body) ++failures;
          GetResult shared = store_->get("mt/shared");
          auto writer = shared.info.metadata.find("writer");
          bool consistent = writer != shared.info.metadata.end() && !shared.body.empty() &&
                            std::all_of(shared.body.begin(), shared.body.end(), [&](std::byte b) {
                              return static_cast<char>(b) == writer->second[0];
                            });
          if (!consistent) ++failures;
        } catch (const std::exception& error) {
          ADD_FAILURE() << error.what();
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->list("mt/").objects.size(), static_cast<std::size_t>(kThreads + 1));
}

// 1,000 random operations checked against a std::map model of S3's semantics.
TEST_P(StoreConformance, RandomOperationsMatchAModel) {
  struct Entry {
    Bytes body;
    Metadata metadata;
  };
  std::map<std::string, Entry> model;
  std::uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::vector<std::string> names = {"m/a",     "m/b",        "m/a-b",    "m/d/x", "m/d/y",
                                          "m/d/e/z", "m/\xc3\xa9", "m/sp ace", "m/p+q"};
  for (int op = 0; op < 1000; ++op) {
    const std::string& key = names[pick(names.size())];
    SCOPED_TRACE("op " + std::to_string(op) + " on " + key);
    switch (pick(7)) {
      case 0:
      case 1: {
        Entry entry{random_bytes(pick(300), rng()), {}};
        if (pick(2)) entry.metadata["n"] = std::to_string(op);
        store_->put(key, entry.body, {entry.metadata});
        model[key] = entry;
        break;
      }
      case 2: {
        auto it = model.find(key);
        auto got = store_->try_get(key);
        ASSERT_EQ(got.has_value(), it != model.end());
        if (got) {
          EXPECT_EQ(got->body, it->second.body);
          EXPECT_EQ(got->info.metadata, it->second.metadata);
        }
        break;
      }
      case 3: {
        auto it = model.find(key);
        if (it == model.end() || it->second.body.empty()) break;
        std::size_t size = it->second.body.size();
        std::size_t offset = pick(size);
        std::size_t length = 1 + pick(size);
        Bytes expected(
            it->second.body.begin() + static_cast<std::ptrdiff_t>(offset),
            it->second.body.begin() + static_cast<std::ptrdiff_t>(std::min(size, offset + length)));
        EXPECT_EQ(store_->get(key, ByteRange::span(offset, length)).body, expected);
        break;
      }
      case 4:
        store_->remove(key);
        model.erase(key);
        break;
      case 5: {
        const std::string& target = names[pick(names.size())];
        auto it = model.find(key);
        if (it == model.end()) {
          EXPECT_EQ(error_code_of([&] { store_->copy(key, target); }), ErrorCode::NotFound);
        } else if (target != key) {
          store_->copy(key, target);
          model[target] = it->second;
        }
        break;
      }
      case 6: {
        std::string prefix = pick(2) ? "m/" : "m/d/";
        std::vector<std::string> expected;
        for (const auto& [name, entry] : model) {
          if (name.starts_with(prefix)) expected.push_back(name);
        }
        ListResult listing = store_->list(prefix);
        ASSERT_EQ(keys_of(listing), expected);
        for (const ObjectInfo& info : listing.objects) {
          EXPECT_EQ(info.size, model[info.key].body.size());
        }
        break;
      }
    }
  }
}

}  // namespace
}  // namespace ndbucket::testing
