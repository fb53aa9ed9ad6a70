// Parallel ranged downloads into memory and into files: every part size against the bytes, the
// concurrency bound, an object replaced mid-download (Corrupt, never mixed bytes), cancellation.
#include "ndbucket/transfer/ranged_download.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <mutex>

#include "support/test_util.hpp"
#include "transfer/transfer_test_support.hpp"

namespace ndbucket::testing {
namespace {

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return to_bytes(text);
}

void write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::size_t files_in(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                std::filesystem::directory_iterator()));
}

// Replaces the object with other bytes of the same size right after the first read of it
// returns, as another writer would mid-download.
class ReplacingStore : public ForwardingStore {
 public:
  ReplacingStore(std::shared_ptr<ObjectStore> inner, Bytes replacement)
      : ForwardingStore(std::move(inner)), replacement_(std::move(replacement)) {}

  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override {
    GetResult result = ForwardingStore::get(key, range);
    replace_once(key);
    return result;
  }
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override {
    ObjectInfo info = ForwardingStore::get_into(key, destination, range);
    replace_once(key);
    return info;
  }

 private:
  void replace_once(std::string_view key) {
    std::call_once(once_, [&] { inner().put(key, replacement_); });
  }
  Bytes replacement_;
  std::once_flag once_;
};

class RangedDownloadTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  std::shared_ptr<ObjectStore> store_;
};

TEST_P(RangedDownloadTest, EveryPartSizeGivesTheObjectsBytes) {
  const Bytes body = random_bytes(100003, 7);
  store_->put("big", body);
  for (std::uint64_t part : {1000u, 4096u, 33333u, 100003u, 100004u, 1u << 20}) {
    SCOPED_TRACE("part size " + std::to_string(part));
    RangedDownloadOptions options;
    options.part_size = part;
    options.transfer.concurrency = 4;
    Bytes into(body.size());
    ObjectInfo info = download_into(*store_, "big", into, options);
    EXPECT_EQ(info.size, body.size());
    EXPECT_TRUE(into == body);
    GetResult fetched = download(*store_, "big", options);
    EXPECT_TRUE(fetched.body == body);
    EXPECT_EQ(fetched.info.etag, info.etag);
  }
  RangedDownloadOptions one_byte;
  one_byte.part_size = 1;
  store_->put("tiny", to_bytes("abc"));
  EXPECT_EQ(as_string_view(download(*store_, "tiny", one_byte).body), "abc");
}

TEST_P(RangedDownloadTest, EmptyAndMissingObjectsAndWrongDestinations) {
  store_->put("empty", {});
  Bytes nothing;
  EXPECT_EQ(download_into(*store_, "empty", nothing).size, 0u);
  EXPECT_TRUE(download(*store_, "empty").body.empty());
  auto dir = fresh_test_dir("ranged-empty");
  download_to_file(*store_, "empty", dir / "e");
  EXPECT_TRUE(std::filesystem::exists(dir / "e"));
  EXPECT_EQ(std::filesystem::file_size(dir / "e"), 0u);

  EXPECT_EQ(error_code_of([&] { download(*store_, "missing"); }), ErrorCode::NotFound);
  EXPECT_EQ(error_code_of([&] { download_into(*store_, "missing", nothing); }),
            ErrorCode::NotFound);
  EXPECT_EQ(error_code_of([&] { download_to_file(*store_, "missing", dir / "m"); }),
            ErrorCode::NotFound);
  EXPECT_FALSE(std::filesystem::exists(dir / "m"));

  store_->put("ten", to_bytes("0123456789"));
  Bytes small(5);
  Bytes large(20);
  RangedDownloadOptions options;
  options.part_size = 4;
  EXPECT_EQ(error_code_of([&] { download_into(*store_, "ten", small, options); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { download_into(*store_, "ten", large, options); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { download_into(*store_, "ten", nothing, options); }),
            ErrorCode::InvalidArgument);
  options.part_size = 0;
  EXPECT_EQ(error_code_of([&] { download(*store_, "ten", options); }), ErrorCode::InvalidArgument);
}

TEST_P(RangedDownloadTest, PartsRunInParallelWithinTheConcurrency) {
  const Bytes body = random_bytes(64 * 1024, 3);
  store_->put("p", body);
  auto counting = std::make_shared<CountingStore>(store_, std::chrono::milliseconds(5));
  RangedDownloadOptions options;
  options.part_size = 2048;  // 32 parts
  options.transfer.concurrency = 3;
  std::mutex mutex;
  std::uint64_t last_done = 0;
  std::uint64_t last_total = 0;
  options.transfer.progress = [&](std::uint64_t done, std::uint64_t total) {
    std::lock_guard lock(mutex);
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  Bytes into(body.size());
  download_into(*counting, "p", into, options);
  EXPECT_TRUE(into == body);
  EXPECT_EQ(counting->calls(), 32);
  EXPECT_LE(counting->max_in_flight(), 3);
  EXPECT_GE(counting->max_in_flight(), 2);
  EXPECT_EQ(last_done, body.size());
  EXPECT_EQ(last_total, body.size());
}

TEST_P(RangedDownloadTest, AnObjectReplacedMidDownloadIsCorruptNeverMixed) {
  const Bytes original = random_bytes(50000, 1);
  const Bytes replacement = random_bytes(50000, 2);
  RangedDownloadOptions options;
  options.part_size = 5000;
  options.transfer.concurrency = 2;

  store_->put("obj", original);
  ReplacingStore replacing(store_, replacement);
  Bytes into(original.size());
  try {
    download_into(replacing, "obj", into, options);
    ADD_FAILURE() << "a replaced object was downloaded without error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::Corrupt);
    EXPECT_NE(std::string(error.what()).find("obj"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("changed during the download"), std::string::npos);
  }

  store_->put("obj", original);
  ReplacingStore replacing_again(store_, replacement);
  EXPECT_EQ(error_code_of([&] { download(replacing_again, "obj", options); }), ErrorCode::Corrupt);

  // A file download leaves the previous file untouched and no temporary behind.
  store_->put("obj", original);
  ReplacingStore replacing_file(store_, replacement);
  auto dir = fresh_test_dir("ranged-replaced");
  write_file(dir / "out", "previous");
  EXPECT_EQ(error_code_of([&] { download_to_file(replacing_file, "obj", dir / "out", options); }),
            ErrorCode::Corrupt);
  EXPECT_EQ(as_string_view(read_file(dir / "out")), "previous");
  EXPECT_EQ(files_in(dir), 1u);

  // A replacement that shrinks the object is caught as well.
  store_->put("obj", original);
  ReplacingStore shrinking(store_, random_bytes(7000, 3));
  EXPECT_EQ(error_code_of([&] { download(shrinking, "obj", options); }), ErrorCode::Corrupt);

  // Once settled, the new version downloads in full.
  EXPECT_TRUE(download(*store_, "obj", options).body == random_bytes(7000, 3));
}

TEST_P(RangedDownloadTest, DownloadToFileReplacesTheFileAtomically) {
  const Bytes body = random_bytes(300000, 9);
  store_->put("f", body);
  auto dir = fresh_test_dir("ranged-file");
  write_file(dir / "out.bin", "old contents");
  RangedDownloadOptions options;
  options.part_size = 65536;
  options.transfer.memory_budget = 100000;  // at most one part buffer beside the first
  std::uint64_t final_done = 0;
  options.transfer.progress = [&](std::uint64_t done, std::uint64_t) { final_done = done; };
  ObjectInfo info = download_to_file(*store_, "f", dir / "out.bin", options);
  EXPECT_EQ(info.size, body.size());
  EXPECT_TRUE(read_file(dir / "out.bin") == body);
  EXPECT_EQ(final_done, body.size());
  EXPECT_EQ(files_in(dir), 1u);

  EXPECT_NE(error_code_of([&] { download_to_file(*store_, "f", dir / "no-such-dir" / "x"); }),
            ErrorCode::NotFound);
}

TEST_P(RangedDownloadTest, CancellingStopsBetweenPartsAsUnavailable) {
  const Bytes body = random_bytes(40000, 4);
  store_->put("c", body);
  auto counting = std::make_shared<CountingStore>(store_, std::chrono::milliseconds(5));
  RangedDownloadOptions options;
  options.part_size = 1000;  // 40 parts
  options.transfer.concurrency = 2;
  options.transfer.progress = [&](std::uint64_t done, std::uint64_t) {
    if (done >= 3000) options.transfer.cancel.cancel();
  };
  auto dir = fresh_test_dir("ranged-cancel");
  EXPECT_EQ(error_code_of([&] { download_to_file(*counting, "c", dir / "out", options); }),
            ErrorCode::Unavailable);
  EXPECT_LT(counting->calls(), 10);
  EXPECT_EQ(files_in(dir), 0u);
}

INSTANTIATE_TEST_SUITE_P(Stores, RangedDownloadTest, ::testing::ValuesIn(transfer_backends()),
                         backend_name);

}  // namespace
}  // namespace ndbucket::testing
