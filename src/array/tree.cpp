#include "ndbucket/array/tree.hpp"

namespace ndbucket {

void save_tree(const ArrayStore& store, std::string_view root,
               const std::map<std::string, ArrayView>& leaves, const ArraySaveOptions& options) {
  for (const auto& [path, view] : leaves) {
    store.save(std::string(root) + "/" + path, view, options);
  }
}

std::map<std::string, Array> load_tree(const ArrayStore& store, std::string_view root) {
  std::string prefix = std::string(root) + "/";
  std::map<std::string, Array> out;
  for (const ObjectInfo& info : store.store()->list(prefix).objects) {
    try {
      out.emplace(info.key.substr(prefix.size()), store.load_any(info.key));
    } catch (const Error& error) {
      // A leaf deleted between the listing and the read is simply not part of the tree.
      if (error.code() != ErrorCode::NotFound) throw;
    }
  }
  return out;
}

ObjectInfo save_json(ObjectStore& store, std::string_view key, const nlohmann::json& document,
                     const Metadata& metadata) {
  std::string text = document.dump();
  return store.put(key, as_bytes(text), {.metadata = metadata, .content_type = "application/json"});
}

nlohmann::json load_json(ObjectStore& store, std::string_view key) {
  GetResult got = store.get(key);
  try {
    return nlohmann::json::parse(as_string_view(got.body));
  } catch (const nlohmann::json::exception& error) {
    throw Error(ErrorCode::Corrupt,
                store.describe(key) + ": not a JSON document: " + std::string(error.what()));
  }
}

}  // namespace ndbucket
