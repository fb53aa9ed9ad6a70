#include <algorithm>

#include "chunked_internal.hpp"
#include "ndbucket/array/chunked.hpp"
#include "ndbucket/store/key.hpp"

namespace ndbucket {

using chunked_detail::join_key;
using chunked_detail::read_text;
using chunked_detail::write_text;

namespace {

constexpr std::string_view kZgroupText = "{\n    \"zarr_format\": 2\n}";

void check_group_key(ObjectStore& store, std::string_view key) {
  if (!key.empty()) validate_key(key, store.url());
}

// Collects every metadata document below `prefix` ("" or ending in '/') into `out`.
void collect_documents(ObjectStore& store, const std::string& prefix, ZarrConsolidated& out) {
  for (const ObjectInfo& object : store.list(prefix).objects) {
    std::string_view relative = std::string_view(object.key).substr(prefix.size());
    std::string_view name = relative.substr(
        relative.rfind('/') == std::string_view::npos ? 0 : relative.rfind('/') + 1);
    if (name != ".zarray" && name != ".zattrs" && name != ".zgroup") continue;
    std::string text = read_text(store, object.key).value_or("");
    std::string what = store.describe(object.key);
    nlohmann::json doc;
    if (name == ".zarray") {
      (void)parse_zarray(text, what);
      doc = nlohmann::json::parse(text);  // kept as stored, as zarr-python does
    } else if (name == ".zattrs") {
      doc = parse_zattrs(text, what);
    } else {
      parse_zgroup(text, what);
      doc = nlohmann::json::parse(text);
    }
    out.documents.emplace(std::string(relative), std::move(doc));
  }
}

}  // namespace

nlohmann::json read_zarr_attributes(ObjectStore& store, std::string_view key) {
  check_group_key(store, key);
  std::string attrs_key = join_key(key, ".zattrs");
  std::optional<std::string> text = read_text(store, attrs_key);
  if (!text) return nlohmann::json::object();
  return parse_zattrs(*text, store.describe(attrs_key));
}

void write_zarr_attributes(ObjectStore& store, std::string_view key,
                           const nlohmann::json& attributes) {
  check_group_key(store, key);
  if (!attributes.is_object()) {
    throw Error(ErrorCode::InvalidArgument,
                store.describe(key) + ": attributes must be a JSON object");
  }
  write_text(store, join_key(key, ".zattrs"), attributes.dump(4, ' ', true));
}

void create_zarr_group(ObjectStore& store, std::string_view key, const nlohmann::json& attributes) {
  check_group_key(store, key);
  if (!attributes.is_object()) {
    throw Error(ErrorCode::InvalidArgument,
                store.describe(key) + ": group attributes must be a JSON object");
  }
  if (store.head(join_key(key, ".zarray"))) {
    throw Error(ErrorCode::AlreadyExists, store.describe(key) + ": an array exists there");
  }
  std::string group_key = join_key(key, ".zgroup");
  if (!store.head(group_key)) write_text(store, group_key, kZgroupText);
  if (!attributes.empty()) write_zarr_attributes(store, key, attributes);
}

bool is_zarr_group(ObjectStore& store, std::string_view key) {
  check_group_key(store, key);
  return store.head(join_key(key, ".zgroup")).has_value();
}

ZarrGroupMembers list_zarr_group(ObjectStore& store, std::string_view key) {
  if (!is_zarr_group(store, key)) {
    throw Error(ErrorCode::NotFound, store.describe(key) + ": not a Zarr group (no .zgroup)");
  }
  std::string prefix = key.empty() ? "" : std::string(key) + "/";
  ZarrGroupMembers members;
  for (const std::string& child : store.list(prefix, {.delimiter = "/"}).common_prefixes) {
    std::string child_key = child.substr(0, child.size() - 1);
    std::string name = child_key.substr(prefix.size());
    if (store.head(join_key(child_key, ".zarray"))) {
      members.arrays.push_back(name);
    } else if (store.head(join_key(child_key, ".zgroup"))) {
      members.groups.push_back(name);
    }
  }
  return members;
}

ZarrConsolidated consolidate_zarr_metadata(ObjectStore& store, std::string_view key) {
  if (!is_zarr_group(store, key)) {
    throw Error(ErrorCode::NotFound, store.describe(key) + ": not a Zarr group (no .zgroup)");
  }
  ZarrConsolidated consolidated;
  collect_documents(store, key.empty() ? "" : std::string(key) + "/", consolidated);
  write_text(store, join_key(key, ".zmetadata"), consolidated.to_json());
  return consolidated;
}

ZarrGroup ZarrGroup::open(std::shared_ptr<ObjectStore> store, std::string_view key,
                          bool use_consolidated, ChunkedIoOptions io) {
  if (!store) throw Error(ErrorCode::InvalidArgument, "zarr group: null store");
  check_group_key(*store, key);
  ZarrGroup group;
  group.key_ = std::string(key);
  group.io_ = std::move(io);
  std::string zmetadata_key = join_key(key, ".zmetadata");
  std::optional<std::string> text =
      use_consolidated ? read_text(*store, zmetadata_key) : std::nullopt;
  if (text) {
    group.consolidated_ = parse_zmetadata(*text, store->describe(zmetadata_key));
    if (!group.consolidated_->documents.count(".zgroup")) {
      throw Error(ErrorCode::Corrupt,
                  store->describe(zmetadata_key) + ": consolidated metadata lacks .zgroup");
    }
  } else if (!is_zarr_group(*store, key)) {
    throw Error(ErrorCode::NotFound, store->describe(key) + ": not a Zarr group (no .zgroup)");
  }
  group.store_ = std::move(store);
  return group;
}

ZarrGroupMembers ZarrGroup::members(std::string_view path) const {
  if (!consolidated_) return list_zarr_group(*store_, join_key(key_, path));
  std::string prefix = path.empty() ? "" : std::string(path) + "/";
  ZarrGroupMembers members;
  for (const auto& [name, doc] : consolidated_->documents) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string_view rest = std::string_view(name).substr(prefix.size());
    std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || rest.find('/', slash + 1) != std::string_view::npos) {
      continue;
    }
    std::string child(rest.substr(0, slash));
    std::string_view document = rest.substr(slash + 1);
    if (document == ".zarray") members.arrays.push_back(child);
    if (document == ".zgroup") members.groups.push_back(child);
  }
  return members;
}

ChunkedArray ZarrGroup::open_array(std::string_view path) const {
  std::string array_key = join_key(key_, path);
  if (consolidated_) {
    auto it = consolidated_->documents.find(join_key(path, ".zarray"));
    if (it == consolidated_->documents.end()) {
      throw Error(ErrorCode::NotFound,
                  store_->describe(array_key) + ": no array in the consolidated metadata");
    }
    std::string what = store_->describe(join_key(key_, ".zmetadata"));
    return ChunkedArray::from_metadata(store_, array_key, parse_zarray(it->second.dump(), what),
                                       io_);
  }
  return ChunkedArray::open(store_, array_key, io_);
}

nlohmann::json ZarrGroup::attributes(std::string_view path) const {
  if (consolidated_) {
    auto it = consolidated_->documents.find(join_key(path, ".zattrs"));
    return it == consolidated_->documents.end() ? nlohmann::json::object() : it->second;
  }
  return read_zarr_attributes(*store_, join_key(key_, path));
}

}  // namespace ndbucket
