#include "ndbucket/store/open_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "ndbucket/core/error.hpp"
#include "ndbucket/store/prefix_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

namespace fs = std::filesystem;
using testing::error_code_of;

class OpenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = testing::fresh_test_dir("open-store"); }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
};

TEST_F(OpenStoreTest, FileUrlsAndPlainPathsOpenTheSameStore) {
  fs::path root = base_ / "my store";
  auto by_url = open_store("file://" + (base_ / "my%20store").string());
  by_url->put("x", as_bytes("hello"));
  EXPECT_TRUE(fs::exists(root / "x"));
  auto by_path = open_store(root.string());
  EXPECT_EQ(as_string_view(by_path->get("x").body), "hello");
  auto by_localhost = open_store("file://localhost" + root.string());
  EXPECT_TRUE(by_localhost->exists("x"));
  fs::path cwd = fs::current_path();
  fs::current_path(base_);
  auto relative = open_store("my store");
  fs::current_path(cwd);
  EXPECT_TRUE(relative->exists("x"));
}

TEST_F(OpenStoreTest, APathInsideAStoreOpensThatStoreUnderAPrefix) {
  auto root = open_store((base_ / "store").string());
  root->put("run1/array", as_bytes("data"), {{{"dtype", "<f8"}}});
  auto run = open_store((base_ / "store" / "run1").string());
  ASSERT_NE(dynamic_cast<PrefixStore*>(run.get()), nullptr);
  EXPECT_EQ(run->head("array")->metadata.at("dtype"), "<f8");
  run->put("second", as_bytes("more"), {{{"k", "v"}}});
  EXPECT_EQ(root->head("run1/second")->metadata.at("k"), "v");
  EXPECT_EQ(run->url(), "file://" + fs::canonical(base_ / "store").string() + "/run1");
  EXPECT_FALSE(fs::exists(base_ / "store" / "run1" / FileStore::kStateDir));
}

TEST_F(OpenStoreTest, MemoryUrlsHaveANameAndAPrefix) {
  auto store = open_store("mem://scratch/deep/prefix/");
  EXPECT_EQ(store->url(), "mem://scratch/deep/prefix");
  store->put("k", as_bytes("v"));
  EXPECT_EQ(store->list("").objects.at(0).key, "k");
  EXPECT_FALSE(open_store("mem://scratch")->exists("deep/prefix/k"));  // not shared
}

TEST_F(OpenStoreTest, BadUrlsAreClearErrors) {
  EXPECT_EQ(error_code_of([] { open_store(""); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { open_store("ftp://host/x"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { open_store("mem://"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { open_store("file://otherhost/x"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { open_store("file:///a%2"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { open_store("mem://m/../x"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of(
                [&] { open_store((base_ / "absent").string(), {.create = false, .file = {}}); }),
            ErrorCode::NotFound);
  try {
    open_store("s3://AK:TOPSECRET@bucket/prefix?bogus=1");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
    EXPECT_EQ(std::string(error.what()).find("TOPSECRET"), std::string::npos) << error.what();
  }
}

TEST_F(OpenStoreTest, RedactedUrlsHideUserInfo) {
  EXPECT_EQ(redact_url("s3://AK:SECRET@bucket/a@b?x=1"), "s3://***@bucket/a@b?x=1");
  EXPECT_EQ(redact_url("s3://bucket/a@b"), "s3://bucket/a@b");
  EXPECT_EQ(redact_url("/local/pa@th"), "/local/pa@th");
}

TEST_F(OpenStoreTest, OpenObjectSplitsStoreAndKey) {
  auto store = open_store((base_ / "s").string());
  store->put("a/b/c.bin", as_bytes("abc"));
  ObjectLocation location = open_object((base_ / "s" / "a" / "b" / "c.bin").string());
  EXPECT_EQ(location.key, "c.bin");
  EXPECT_EQ(as_string_view(location.store->get(location.key).body), "abc");
  ObjectLocation in_memory = open_object("mem://m/x/y");
  EXPECT_EQ(in_memory.key, "y");
  EXPECT_EQ(in_memory.store->url(), "mem://m/x");
  EXPECT_EQ(error_code_of([] { open_object("mem://m/dir/"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { open_object("mem://m"); }), ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ndbucket
