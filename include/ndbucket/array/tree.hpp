// Trees of arrays (cottoncandy's dict2cloud / cloud2dict) and JSON documents.
//
// A nested dict {"a": {"b": x, "c": y}} under root "r" is stored as raw arrays at "r/a/b" and
// "r/a/c": groups are key prefixes only, with no marker objects, and an empty dict writes
// nothing. ndbucket represents the tree flat, by '/'-joined paths ("a/b" -> x), which is the same
// information and needs no recursive type.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ndbucket/array/array_store.hpp"

namespace ndbucket {

// Writes each leaf as a raw array at root + "/" + path with `options`. Paths are '/'-separated
// and must be valid keys. A failure leaves the leaves written so far.
// Errors: as ArrayStore::save (InvalidArgument for a bad path). Thread safety: as ArrayStore.
void save_tree(const ArrayStore& store, std::string_view root,
               const std::map<std::string, ArrayView>& leaves,
               const ArraySaveOptions& options = {});

// Reads every object under root + "/" as an array (raw or .npy), keyed by its path below root.
// An empty map when nothing is there (cottoncandy's empty dict).
// Errors: Corrupt when an object under root is not an array; as ArrayStore::load otherwise.
std::map<std::string, Array> load_tree(const ArrayStore& store, std::string_view root);

// Writes `document` as UTF-8 JSON text (cottoncandy's upload_json: no array metadata, the
// given user metadata, content type application/json). Errors: the store's.
ObjectInfo save_json(ObjectStore& store, std::string_view key, const nlohmann::json& document,
                     const Metadata& metadata = {});

// Reads a JSON object. Errors: NotFound; Corrupt (naming the key) when the body is not JSON.
nlohmann::json load_json(ObjectStore& store, std::string_view key);

}  // namespace ndbucket
