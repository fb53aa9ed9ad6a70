// FileSystem over MemoryStore, FileStore and Ceph RGW.
#include "ndbucket/fs/filesystem.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "ndbucket/store/memory_store.hpp"
#include "s3/test_servers.hpp"
#include "store/conformance.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

namespace stdfs = std::filesystem;
using Keys = std::vector<std::string>;

class FileSystemTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    fs_ = std::make_unique<FileSystem>(store_);
  }
  // Each object's body is its own key.
  void put_all(const Keys& keys) {
    for (const std::string& key : keys) store_->put(key, as_bytes(key));
  }
  void put_parallel(const Keys& keys) {
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t i = t; i < keys.size(); i += 8) store_->put(keys[i], as_bytes(keys[i]));
      });
    }
    for (std::thread& thread : threads) thread.join();
  }
  Keys all_keys() {
    Keys keys;
    for (const ObjectInfo& info : store_->list("").objects) keys.push_back(info.key);
    return keys;
  }

  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<FileSystem> fs_;
};

TEST_P(FileSystemTest, NamesAreCleanedLikeCottoncandy) {
  EXPECT_EQ(clean_name("/a//b///c"), "a/b/c");
  EXPECT_EQ(clean_name("a/b/"), "a/b/");
  put_all({"a/b/c"});
  EXPECT_TRUE(fs_->exists("//a//b/c"));
  EXPECT_TRUE(fs_->isdir("/a"));
  EXPECT_TRUE(fs_->isdir("a/b/"));
  EXPECT_FALSE(fs_->isdir("a/b/c"));
  EXPECT_FALSE(fs_->isdir("a/b/c/d"));
  EXPECT_FALSE(fs_->exists("a/bc"));
}

TEST_P(FileSystemTest, GlobListsOnlyMatchingKeys) {
  put_all({"g/a.npy", "g/abc", "g/sub/a.npy", "g/sub/deep/a.npy", "g2/a.npy", "g/run1/x",
           "g/run2/x", "g/run3/x", "g/lit*star", "g/q?mark"});
  EXPECT_EQ(fs_->glob("g/*.npy"), (Keys{"g/a.npy"}));
  EXPECT_EQ(fs_->glob("g/**/a.npy"), (Keys{"g/a.npy", "g/sub/a.npy", "g/sub/deep/a.npy"}));
  EXPECT_EQ(fs_->glob("**/a.npy"),
            (Keys{"g/a.npy", "g/sub/a.npy", "g/sub/deep/a.npy", "g2/a.npy"}));
  EXPECT_EQ(fs_->glob("g/sub/**"), (Keys{"g/sub/a.npy", "g/sub/deep/a.npy"}));
  EXPECT_EQ(fs_->glob("g/run[12]/x"), (Keys{"g/run1/x", "g/run2/x"}));
  EXPECT_EQ(fs_->glob("g/run[!12]/x"), (Keys{"g/run3/x"}));
  EXPECT_EQ(fs_->glob("g/lit\\*star"), (Keys{"g/lit*star"}));
  EXPECT_EQ(fs_->glob("g/q\\?mark"), (Keys{"g/q?mark"}));
  // A literal pattern names one key, unlike cottoncandy's prefix match.
  EXPECT_EQ(fs_->glob("g/a"), Keys{});
  EXPECT_EQ(fs_->glob("g/abc"), (Keys{"g/abc"}));
  EXPECT_EQ(fs_->glob("g/sub", {.syntax = GlobSyntax::Path, .include_subtree = true}),
            (Keys{"g/sub/a.npy", "g/sub/deep/a.npy"}));
  // cottoncandy's behaviour, for ported code.
  EXPECT_EQ(fs_->glob("g/a", {.syntax = GlobSyntax::Fnmatch, .include_subtree = false}),
            (Keys{"g/a.npy", "g/abc"}));
  EXPECT_EQ(fs_->glob("g/*.npy", {.syntax = GlobSyntax::Fnmatch, .include_subtree = false}),
            (Keys{"g/a.npy", "g/sub/a.npy", "g/sub/deep/a.npy"}));
}

TEST_P(FileSystemTest, LsdirPagesThroughThreeThousandEntries) {
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "big/f%04d", i);
    keys.push_back(key);
  }
  put_parallel(keys);
  put_all({"big/sub/inner"});
  Keys listed = fs_->lsdir("big");
  ASSERT_EQ(listed.size(), 3001u);
  EXPECT_EQ(listed.front(), "big/sub/");  // directories first, then objects
  EXPECT_EQ(listed[1], "big/f0000");
  EXPECT_EQ(listed.back(), "big/f2999");
  EXPECT_EQ(fs_->ls("big/f29*").size(), 100u);
  EXPECT_EQ(fs_->du("big").objects, 3001u);
  EXPECT_EQ(fs_->du("big").bytes, 3000u * 9 + 13);
}

TEST_P(FileSystemTest, LsWalkTreeAndDu) {
  put_all({"t/a", "t/b/c", "t/b/d/e", "t/f/g"});
  EXPECT_EQ(fs_->ls("t"), (Keys{"t/b/", "t/f/", "t/a"}));
  EXPECT_EQ(fs_->ls("t/a"), (Keys{"t/a"}));
  EXPECT_EQ(fs_->ls("t/*/c"), (Keys{"t/b/c"}));
  EXPECT_EQ(fs_->ls("t/missing"), Keys{});
  std::vector<std::string> visited;
  fs_->walk("t", [&](const WalkEntry& entry) {
    std::string line = entry.directory + ":";
    for (const auto& d : entry.subdirectories) line += " d=" + d;
    for (const auto& o : entry.objects) line += " o=" + o;
    visited.push_back(line);
    return true;
  });
  EXPECT_EQ(visited, (std::vector<std::string>{"t/: d=b d=f o=a", "t/b/: d=d o=c", "t/b/d/: o=e",
                                               "t/f/: o=g"}));
  EXPECT_EQ(fs_->tree("t"),
            "t/\n├── b/\n│   ├── d/\n│   │   └── e\n│   └── c\n├── f/\n│   └── g\n└── a\n");
  DiskUsage usage = fs_->du("t");
  EXPECT_EQ(usage.objects, 4u);
  EXPECT_EQ(usage.bytes, 3u + 5u + 7u + 5u);
  EXPECT_EQ(fs_->du("").objects, 4u);
}

TEST_P(FileSystemTest, RmDeletesExactlyTheDirectoryNotItsNamesakes) {
  put_all({"x/exp/a", "x/exp/b/c", "x/exp2/a", "x/exp.txt", "x/expa"});
  EXPECT_EQ(error_code_of([&] { fs_->rm("x/exp"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(fs_->rm("x/exp", /*recursive=*/true), 2u);
  EXPECT_EQ(all_keys(), (Keys{"x/exp.txt", "x/exp2/a", "x/expa"}));
  EXPECT_EQ(fs_->rm("x/exp.txt"), 1u);
  EXPECT_EQ(error_code_of([&] { fs_->rm("x/nothing"); }), ErrorCode::NotFound);
  EXPECT_EQ(all_keys(), (Keys{"x/exp2/a", "x/expa"}));
}

TEST_P(FileSystemTest, RecursiveRmWorksInBatches) {
  Keys keys;
  for (int i = 0; i < 2100; ++i) keys.push_back("many/k" + std::to_string(i));
  put_parallel(keys);
  EXPECT_EQ(fs_->rm("many", true), 2100u);
  EXPECT_TRUE(all_keys().empty());
}

TEST_P(FileSystemTest, CpAndMvObjectsAndDirectories) {
  store_->put("src/a", as_bytes("A"), {{{"dtype", "<f8"}}});
  put_all({"src/sub/b", "srcx/keep"});
  EXPECT_EQ(fs_->cp("src/a", "copy/a"), 1u);
  EXPECT_EQ(store_->head("copy/a")->metadata.at("dtype"), "<f8");
  EXPECT_EQ(error_code_of([&] { fs_->cp("src/a", "copy/a"); }), ErrorCode::AlreadyExists);
  fs_->cp("src/a", "copy/a", {.overwrite = true});
  EXPECT_EQ(error_code_of([&] { fs_->cp("src", "dst"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { fs_->cp("src", "src/inside", {.recursive = true}); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { fs_->cp("nope", "dst", {.recursive = true}); }),
            ErrorCode::NotFound);
  std::uint64_t reported = 0;
  CopyOptions recursive{.recursive = true,
                        .progress = [&](std::uint64_t done, std::uint64_t) { reported = done; }};
  EXPECT_EQ(fs_->cp("src", "dst", recursive), 2u);
  EXPECT_EQ(reported, 1u + 9u);
  EXPECT_EQ(as_string_view(store_->get("dst/sub/b").body), "src/sub/b");
  // A clash anywhere refuses the whole copy before anything is written.
  put_all({"dst2/sub/b"});
  EXPECT_EQ(error_code_of([&] { fs_->cp("src", "dst2", {.recursive = true}); }),
            ErrorCode::AlreadyExists);
  EXPECT_FALSE(store_->exists("dst2/a"));

  EXPECT_EQ(fs_->mv("dst", "moved", {.recursive = true}), 2u);
  EXPECT_FALSE(fs_->isdir("dst"));
  EXPECT_EQ(as_string_view(store_->get("moved/a").body), "A");
  fs_->mv("moved/a", "single");
  EXPECT_FALSE(store_->exists("moved/a"));
  EXPECT_TRUE(store_->exists("single"));
  EXPECT_TRUE(store_->exists("srcx/keep"));

  // Into another store: the bytes pass through, metadata and content type kept.
  FileSystem other(std::make_shared<MemoryStore>("other"));
  EXPECT_EQ(fs_->copy_to(other, "moved", "elsewhere", {.recursive = true}), 1u);
  EXPECT_EQ(as_string_view(other.store()->get("elsewhere/sub/b").body), "src/sub/b");
  EXPECT_EQ(fs_->copy_to(other, "single", "one"), 1u);
  EXPECT_EQ(other.store()->head("one")->metadata.at("dtype"), "<f8");
  EXPECT_EQ(error_code_of([&] { fs_->copy_to(other, "single", "one"); }), ErrorCode::AlreadyExists);
}

TEST_P(FileSystemTest, DirectoriesUploadAndDownloadWithFilters) {
  stdfs::path local = fresh_test_dir("fs-local");
  std::mt19937 rng(7);
  std::map<std::string, std::string> files;
  for (const char* relative : {"a.txt", "b.npy", "sub/c.npy", "sub/deep/d.txt", "skip/e.tmp"}) {
    std::string content(1 + rng() % 5000, '\0');
    for (char& c : content) c = static_cast<char>(rng());
    stdfs::create_directories((local / relative).parent_path());
    std::ofstream(local / relative, std::ios::binary) << content;
    files[relative] = content;
  }
  std::uint64_t last_done = 0, last_total = 0;
  CopyOptions options{.progress = [&](std::uint64_t done, std::uint64_t total) {
    last_done = done;
    last_total = total;
  }};
  EXPECT_EQ(fs_->upload_directory(local.string(), "up", options, {}, {"**/*.tmp"}), 4u);
  EXPECT_EQ(last_done, last_total);
  EXPECT_EQ(all_keys(), (Keys{"up/a.txt", "up/b.npy", "up/sub/c.npy", "up/sub/deep/d.txt"}));
  EXPECT_EQ(as_string_view(store_->get("up/sub/c.npy").body), files["sub/c.npy"]);
  EXPECT_EQ(error_code_of([&] { fs_->upload_directory(local.string(), "up"); }),
            ErrorCode::AlreadyExists);

  stdfs::path back = local / "back";
  EXPECT_EQ(fs_->download_directory("up", back.string(), {}, {"**/*.npy"}), 2u);
  std::ifstream in(back / "sub" / "c.npy", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), files["sub/c.npy"]);
  EXPECT_FALSE(stdfs::exists(back / "a.txt"));
  EXPECT_EQ(error_code_of([&] { fs_->download_directory("up", back.string()); }),
            ErrorCode::AlreadyExists);
  EXPECT_EQ(fs_->download_directory("up", back.string(), {.overwrite = true}), 4u);
  stdfs::remove_all(local);
}

INSTANTIATE_TEST_SUITE_P(
    Stores, FileSystemTest,
    ::testing::Values(StoreFactory{"Memory", [] { return std::make_shared<MemoryStore>("fs"); }},
                      StoreFactory{"File", [] { return make_temp_file_store("fs"); }},
                      StoreFactory{"Rgw",
                                   [] { return make_bucket_store(test_server("rgw"), "fs"); }}),
    StoreFactory::Name);

}  // namespace
}  // namespace ndbucket::testing
