// cottoncandy's dask layout (upload_dask_array / download_dask_array): an array split into parts
// `key/pt0000`, `key/pt0001`, ... each a cottoncandy raw array, plus `key/metadata.json`
// (see ../shared/formats/cottoncandy.md). ndbucket writes the same part boundaries, the same
// trailing empty chunk and byte-identical JSON; ChunkedArray::open reads it lazily by region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/chunked.hpp"

namespace ndbucket {

// The contents of a dask layout's metadata.json.
struct DaskLayoutMetadata {
  Shape shape;
  DType dtype = DType::of<double>();
  // Per dimension, the extent of each chunk index (dask's `chunks`); sums to the shape.
  std::vector<std::vector<std::size_t>> chunks;
  // One entry per part in part order: its chunk coordinates and its full object key.
  struct Part {
    std::vector<std::size_t> index;
    std::string key;
  };
  std::vector<Part> parts;

  // The document exactly as cottoncandy writes it (Python json.dumps: ", " and ": ", keys
  // shape, dtype, dask, chunk_sizes, chunks in that order).
  std::string to_json() const;
};

// Parses metadata.json. Checks: shape, dtype (DType::parse), chunks summing to each extent, one
// part per chunk position with in-grid coordinates and a non-empty key; chunk_sizes is ignored
// (a reader needs only the rest). Errors: Corrupt naming `what`. Thread safety: pure.
DaskLayoutMetadata parse_dask_metadata(std::string_view text, std::string_view what);

// cottoncandy's split of `shape` for `itemsize`-byte elements: per dimension, the chunk extents,
// including the trailing empty chunk along each split axis. `axis` (negative counts from the
// end) splits one axis; nullopt splits every axis. Errors: InvalidArgument for a buffersize
// below 5 MiB, an axis out of range, or 10000 parts or more. Thread safety: pure.
std::vector<std::vector<std::size_t>> dask_layout_chunks(const Shape& shape, std::size_t itemsize,
                                                         std::optional<int> axis,
                                                         std::uint64_t buffersize);

struct DaskSaveOptions {
  std::optional<int> axis = -1;                         // cottoncandy's default: the last axis
  std::uint64_t buffersize = std::uint64_t{100} << 20;  // cottoncandy's default, 100 MiB
  ArraySaveOptions part{};                              // compression of each part (default gzip)
  TransferOptions transfer{};                           // parts written `concurrency` at a time
};

// Writes `view` in cottoncandy's dask layout at `key` (parts, then metadata.json).
// Errors: as dask_layout_chunks and ArrayStore::save.
DaskLayoutMetadata save_dask_layout(const ArrayStore& arrays, std::string_view key,
                                    const ArrayView& view, const DaskSaveOptions& options = {});

}  // namespace ndbucket
