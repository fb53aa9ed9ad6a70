// Helpers shared by the chunked-array sources (Zarr arrays, Zarr groups, the dask layout).
#pragma once

#include <optional>
#include <string>
#include <string_view>

// dtype.hpp before bytes.hpp: GCC -Wshadow flags DTypeKind::Bytes after the Bytes alias.
#include "ndbucket/array/dtype.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket::chunked_detail {

// `prefix/name`, or `name` alone for the root prefix "".
inline std::string join_key(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  if (!out.empty() && !name.empty()) out += '/';
  out += name;
  return out;
}

// The object's body as text, or nullopt when it does not exist.
inline std::optional<std::string> read_text(ObjectStore& store, const std::string& key) {
  std::optional<GetResult> got = store.try_get(key);
  if (!got) return std::nullopt;
  return std::string(as_string_view(got->body));
}

// Writes JSON text with content type application/json.
inline void write_text(ObjectStore& store, const std::string& key, std::string_view text) {
  PutOptions options;
  options.content_type = "application/json";
  store.put(key, as_bytes(text), options);
}

// Deletes every object under `prefix/` (everything for the root prefix "").
void remove_tree(ObjectStore& store, std::string_view prefix);

}  // namespace ndbucket::chunked_detail
