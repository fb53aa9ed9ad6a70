// Trees of arrays (dict2cloud/cloud2dict layout) and JSON documents.
#include <gtest/gtest.h>

#include "ndbucket/array/tree.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket {
namespace {

using testing::error_code_of;

TEST(Tree, NestedPathsAreKeyPrefixes) {
  auto store = std::make_shared<MemoryStore>();
  ArrayStore arrays(store);
  Array x = Array::from_vector(std::vector<double>{1, 2, 3});
  Array y = Array::from_vector(std::vector<std::int64_t>{7}, Shape{});
  Array z = Array::from_vector(std::vector<float>{1, 2, 3, 4}, Shape{2, 2});
  save_tree(arrays, "r", {{"a/b", x.view()}, {"a/c", y.view()}, {"d", z.view()}},
            {.compression = "Zstd", .metadata = {}});
  std::vector<std::string> keys;
  for (const ObjectInfo& info : store->list("").objects) keys.push_back(info.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"r/a/b", "r/a/c", "r/d"}));  // no group markers
  EXPECT_EQ(store->head("r/a/c")->metadata.at("shape"), "");
  std::map<std::string, Array> back = load_tree(arrays, "r");
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back.at("a/b").to_vector<double>(), x.to_vector<double>());
  EXPECT_EQ(back.at("a/c").to_vector<std::int64_t>(), std::vector<std::int64_t>{7});
  EXPECT_EQ(back.at("d").shape(), Shape({2, 2}));
  // A subtree, an empty tree, a prefix that is not a path boundary.
  EXPECT_EQ(load_tree(arrays, "r/a").size(), 2u);
  save_tree(arrays, "empty", {});
  EXPECT_TRUE(load_tree(arrays, "empty").empty());
  EXPECT_TRUE(load_tree(arrays, "r/a/b").empty());
  // .npy leaves load too; other objects are Corrupt.
  arrays.save_npy("r/n", x.view());
  EXPECT_EQ(load_tree(arrays, "r").size(), 4u);
  store->put("r/text", as_bytes("hello"));
  EXPECT_EQ(error_code_of([&] { load_tree(arrays, "r"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] {
              save_tree(arrays, "r", {{"bad/../x", x.view()}});
            }),
            ErrorCode::InvalidArgument);
}

TEST(Tree, JsonDocuments) {
  MemoryStore store;
  nlohmann::json doc = {{"shape", {2, 3}}, {"name", "w"}, {"ok", true}};
  save_json(store, "doc.json", doc, {{"author", "ana"}});
  EXPECT_EQ(store.head("doc.json")->content_type, "application/json");
  EXPECT_EQ(store.head("doc.json")->metadata, (Metadata{{"author", "ana"}}));
  EXPECT_EQ(load_json(store, "doc.json"), doc);
  store.put("bad.json", as_bytes("{not json"));
  EXPECT_EQ(error_code_of([&] { load_json(store, "bad.json"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { load_json(store, "none.json"); }), ErrorCode::NotFound);
}

}  // namespace
}  // namespace ndbucket
