// What FileStore promises beyond the conformance suite: the on-disk layout, confinement to its
// root, crash safety and recovery.
#include "ndbucket/store/file_store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ndbucket/core/error.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

namespace fs = std::filesystem;
using testing::error_code_of;

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = testing::fresh_test_dir("file-store");
    root_ = base_ / "root";
  }
  void TearDown() override { fs::remove_all(base_); }

  static std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  static void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }
  static std::vector<std::string> keys(ObjectStore& store, const std::string& prefix = "") {
    std::vector<std::string> result;
    for (const ObjectInfo& info : store.list(prefix).objects) result.push_back(info.key);
    return result;
  }
  fs::path base_;
  fs::path root_;
};

TEST_F(FileStoreTest, ObjectsArePlainFilesAndStateStaysHidden) {
  FileStore store(root_);
  store.put("run1/weights.bin", as_bytes("raw bytes"), {{{"dtype", "<f8"}}, "application/x-raw"});
  EXPECT_EQ(read_file(root_ / "run1" / "weights.bin"), "raw bytes");
  EXPECT_TRUE(fs::is_directory(root_ / FileStore::kStateDir / "meta" / "run1"));
  EXPECT_EQ(keys(store), std::vector<std::string>{"run1/weights.bin"});
  EXPECT_EQ(store.list("", {.delimiter = "/"}).common_prefixes, std::vector<std::string>{"run1/"});
  EXPECT_EQ(error_code_of([&] { store.put(".ndbucket/meta/x", as_bytes("x")); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { store.get("a/.ndbucket/x"); }), ErrorCode::InvalidArgument);
  EXPECT_TRUE(store.list(".ndbucket/").objects.empty());
  EXPECT_EQ(store.url(), "file://" + fs::canonical(root_).string());
}

TEST_F(FileStoreTest, FilesWrittenByOtherProgramsAreObjects) {
  write_file(root_ / "external" / "data.csv", "1,2,3\n");
  FileStore store(root_);
  GetResult read = store.get("external/data.csv");
  EXPECT_EQ(as_string_view(read.body), "1,2,3\n");
  EXPECT_TRUE(read.info.metadata.empty());
  EXPECT_EQ(read.info.content_type, kDefaultContentType);
  EXPECT_EQ(keys(store), std::vector<std::string>{"external/data.csv"});
}

TEST_F(FileStoreTest, MetadataIsDroppedWhenAnotherProgramRewritesTheBody) {
  FileStore store(root_);
  store.put("k", as_bytes("original"), {{{"dtype", "<f8"}}});
  ASSERT_EQ(store.head("k")->metadata.size(), 1u);
  std::ofstream(root_ / "k", std::ios::binary | std::ios::app) << "appended";
  auto info = store.head("k");
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->metadata.empty()) << "a sidecar described a body that changed";
  EXPECT_EQ(info->size, 16u);
}

TEST_F(FileStoreTest, CorruptSidecarIsReportedNotTrusted) {
  FileStore store(root_);
  store.put("k", as_bytes("body"), {{{"a", "b"}}});
  fs::path meta_dir = root_ / FileStore::kStateDir / "meta";
  ASSERT_EQ(std::distance(fs::directory_iterator(meta_dir), fs::directory_iterator()), 1);
  write_file(fs::directory_iterator(meta_dir)->path(), "{not json");
  EXPECT_EQ(error_code_of([&] { store.head("k"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { store.get("k"); }), ErrorCode::Corrupt);
  store.put("k", as_bytes("rewritten"));  // a rewrite heals it
  EXPECT_EQ(as_string_view(store.get("k").body), "rewritten");
}

TEST_F(FileStoreTest, SymbolicLinksCannotEscapeTheRoot) {
  fs::path outside = base_ / "outside";
  write_file(outside / "secret", "do not read");
  FileStore store(root_);
  store.put("inside/real", as_bytes("inside data"));
  fs::create_directory_symlink(outside, root_ / "evil");
  fs::create_symlink(outside / "secret", root_ / "evil-file");
  fs::create_directory_symlink(root_ / "inside", root_ / "alias");

  EXPECT_EQ(error_code_of([&] { store.get("evil/secret"); }), ErrorCode::PermissionDenied);
  EXPECT_EQ(error_code_of([&] { store.get("evil-file"); }), ErrorCode::PermissionDenied);
  EXPECT_EQ(error_code_of([&] { store.put("evil/planted", as_bytes("x")); }),
            ErrorCode::PermissionDenied);
  EXPECT_EQ(error_code_of([&] { store.remove("evil/secret"); }), ErrorCode::PermissionDenied);
  EXPECT_FALSE(fs::exists(outside / "planted"));
  EXPECT_EQ(read_file(outside / "secret"), "do not read");
  EXPECT_TRUE(store.list("evil").objects.empty());

  // Links that stay inside the root are followed.
  EXPECT_EQ(as_string_view(store.get("alias/real").body), "inside data");
  EXPECT_EQ(keys(store), (std::vector<std::string>{"alias/real", "inside/real"}));
}

TEST_F(FileStoreTest, SymbolicLinkCyclesDoNotHangListings) {
  FileStore store(root_);
  store.put("a/file", as_bytes("x"));
  fs::create_directory_symlink(root_ / "a", root_ / "a" / "loop");
  std::vector<std::string> listed = keys(store);
  EXPECT_EQ(listed.front(), "a/file");
  EXPECT_LT(listed.size(), 3u);
}

TEST_F(FileStoreTest, RemovePrunesEmptyDirectories) {
  FileStore store(root_);
  store.put("a/b/c/leaf", as_bytes("x"), {{{"m", "1"}}});
  store.put("a/keep", as_bytes("y"));
  store.remove("a/b/c/leaf");
  EXPECT_FALSE(fs::exists(root_ / "a" / "b"));
  EXPECT_TRUE(fs::exists(root_ / "a" / "keep"));
  EXPECT_FALSE(fs::exists(root_ / FileStore::kStateDir / "meta" / "a"));
  EXPECT_TRUE(store.list("", {.delimiter = "/"}).common_prefixes == std::vector<std::string>{"a/"});
  store.remove("a/keep");
  EXPECT_TRUE(store.list("", {.delimiter = "/"}).common_prefixes.empty());
  // The key freed by the removal can become an object itself.
  store.put("a", as_bytes("now a file"));
  EXPECT_EQ(as_string_view(store.get("a").body), "now a file");
}

TEST_F(FileStoreTest, MissingRootIsCreatedOrRefused) {
  EXPECT_EQ(error_code_of([&] { FileStore(root_, {.create_root = false, .sync = true}); }),
            ErrorCode::NotFound);
  FileStore store(root_);
  EXPECT_TRUE(fs::is_directory(root_));
  write_file(base_ / "plain-file", "x");
  EXPECT_EQ(error_code_of([&] { FileStore{base_ / "plain-file"}; }), ErrorCode::InvalidArgument);
}

TEST_F(FileStoreTest, StaleTemporariesOfDeadWritersAreRemoved) {
  FileStore store(root_);
  store.put("k", as_bytes("v"));
  fs::path tmp = root_ / FileStore::kStateDir / "tmp";
  write_file(tmp / "dead-writer.part", "partial");
  write_file(tmp / "live-writer.part", "partial");
  write_file(tmp / "fresh.part", "partial");
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(tmp / "dead-writer.part", old);
  fs::last_write_time(tmp / "live-writer.part", old);
  int live = ::open((tmp / "live-writer.part").c_str(), O_RDONLY);
  ASSERT_GE(live, 0);
  ASSERT_EQ(::flock(live, LOCK_EX), 0);
  // flock locks belong to the open file description, so a second open in this process is a
  // different holder, as another process would be.
  FileStore reopened(root_);
  EXPECT_FALSE(fs::exists(tmp / "dead-writer.part"));
  EXPECT_TRUE(fs::exists(tmp / "live-writer.part"));
  EXPECT_TRUE(fs::exists(tmp / "fresh.part"));
  ::close(live);
  EXPECT_EQ(keys(reopened), std::vector<std::string>{"k"});
}

// The crash test: a writer process is killed with SIGKILL in the middle of a large put.
TEST_F(FileStoreTest, SigkillDuringALargePutKeepsThePreviousVersion) {
  const std::string previous(1 << 20, 'p');
  {
    FileStore store(root_);
    store.put("big/object", as_bytes(previous), {{{"version", "1"}}});
    store.put("big/other", as_bytes("untouched"));
  }
  fs::path tmp = root_ / FileStore::kStateDir / "tmp";
  constexpr std::size_t kLargeSize = std::size_t{1} << 30;

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only this thread exists in the child; it writes until killed.
    try {
      FileStore store(root_);
      Bytes body(kLargeSize, std::byte{'n'});
      store.put("big/object", body, {{{"version", "2"}}});
    } catch (...) {
    }
    ::_exit(0);
  }

  // Wait until the temporary body is partly written, then kill the writer mid-put.
  bool seen_partial = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!seen_partial && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (fs::directory_iterator it(tmp, ec), end; !ec && it != end; it.increment(ec)) {
      auto size = fs::file_size(it->path(), ec);
      if (!ec && size > 0) seen_partial = true;  // writing, or syncing what it wrote
    }
    if (!seen_partial) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(seen_partial) << "the writer never got to write its temporary file";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the writer finished before it could be killed";

  FileStore store(root_);
  GetResult read = store.get("big/object");
  EXPECT_EQ(read.body.size(), previous.size());
  EXPECT_EQ(as_string_view(read.body), previous);
  EXPECT_EQ(read.info.metadata, (Metadata{{"version", "1"}}));
  EXPECT_EQ(as_string_view(store.get("big/other").body), "untouched");
  EXPECT_EQ(keys(store), (std::vector<std::string>{"big/object", "big/other"}));
  EXPECT_EQ(store.list("", {.delimiter = "/"}).common_prefixes, std::vector<std::string>{"big/"});
}

}  // namespace
}  // namespace ndbucket
