// Chunked arrays: n-d arrays split into separately compressed chunks, read and written by region.
//
// Two layouts, both readable lazily (a read fetches only the chunks its region intersects):
//  - Zarr v2 (`key/.zarray`, `key/.zattrs`, chunks `key/0.0` or `key/0/0`), readable and writable
//    by zarr-python, dask and xarray. Groups (`.zgroup`) and consolidated metadata
//    (`.zmetadata`) as zarr-python writes them.
//  - cottoncandy's dask layout (`key/pt0000` ... raw arrays + `key/metadata.json`), see
//    dask_layout.hpp; ChunkedArray::open recognises it and reads it by region (read-only).
//
//   auto store = ndbucket::open_store("s3://bucket/run1");
//   auto movie = ndbucket::ChunkedArray::create(store, "movie", ndbucket::Shape{1000, 512, 512},
//                                               ndbucket::DType::of<float>(),
//                                               {.chunks = {10, 256, 256},
//                                                .compressor = {{"id", "zstd"}, {"level", 3}}});
//   movie.write({{0, 10}}, frames);                          // rewrites only chunks it touches
//   ndbucket::Array roi = movie.read({{0, 100}, {}, {100, 200}});  // fetches only those chunks
//
// Keys: `key` is the array's prefix in the store (no trailing '/'); an empty key is the store's
// root (zarr-python's root array). Chunk keys are `<key>/<i>.<j>...` (or `/`-joined); they are
// valid on every store, FileStore included.
//
// Thread safety: a ChunkedArray is an immutable handle (the metadata it was opened with) on a
// thread-safe store: reads may run concurrently from many threads. Concurrent writes that touch
// the same chunk race (each chunk is read, modified and put whole; the last put wins), as in
// zarr-python; writes to disjoint chunks are safe. resize/set_attributes must not overlap with
// other calls on the same handle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/array/array.hpp"
#include "ndbucket/array/region.hpp"
#include "ndbucket/array/zarr_metadata.hpp"
#include "ndbucket/codecs/registry.hpp"
#include "ndbucket/store/object_store.hpp"
#include "ndbucket/transfer/transfer_options.hpp"

namespace ndbucket {

// zarr-python 2.x's default compressor: Blosc(cname="lz4", clevel=5, shuffle=SHUFFLE).
nlohmann::json default_zarr_compressor();

// How chunk requests run: TransferOptions::concurrency chunks are fetched (or put) and decoded
// (or encoded) at once on that many threads, so a read holds at most `concurrency` encoded plus
// `concurrency` decoded chunks besides its output. memory_budget is not used (the concurrency
// bounds memory); progress counts chunks (done, total); cancel stops before the next chunk and
// the call throws Unavailable.
struct ChunkedIoOptions {
  TransferOptions transfer{};
  // The codecs chunk compressors are looked up in (by their numcodecs config).
  CodecRegistry codecs = CodecRegistry::with_builtins();
};

// What a new Zarr array looks like.
struct ChunkedCreateOptions {
  // The chunk shape, one extent >= 1 per dimension. Empty: choose_chunk_shape(shape, dtype,
  // target_chunk_bytes).
  std::vector<std::size_t> chunks{};
  // Used only when `chunks` is empty. 4 MiB: large enough that per-request latency on S3 (tens
  // of ms) is small next to transfer time, small enough that a region read wastes little and
  // every worker holds a few chunks in memory. (zarr-python aims at 1-8 MiB too.)
  std::size_t target_chunk_bytes = std::size_t{4} << 20;
  // The compressor: a numcodecs config object ({"id": "zstd", "level": 3}), a bare codec id
  // string ("zstd", any case, numcodecs' defaults), or null for none. Any codec in the registry
  // (zlib, gzip, bz2, zstd, lz4, blosc, lzma). Default: zarr-python's (blosc lz4).
  nlohmann::json compressor = default_zarr_compressor();
  // Zarr v2 fill_value JSON (see ZarrArrayMetadata::fill_value): what unwritten chunks read as.
  // Default 0, as zarr.create.
  nlohmann::json fill_value = 0;
  // Memory order of the elements inside each chunk (the array's logical order is unaffected).
  Order order = Order::C;
  // '.' (zarr-python's default, chunk "0.1") or '/' (chunk "0/1", NestedDirectoryStore style).
  char dimension_separator = '.';
  // Written as `.zattrs` when not empty (must be a JSON object).
  nlohmann::json attributes = nlohmann::json::object();
  // When something (an array or group) already exists at the key: false -> AlreadyExists; true
  // -> its metadata and every object under `key/` are deleted first.
  bool overwrite = false;
};

// Options of save_chunked.
struct ChunkedSaveOptions {
  ChunkedCreateOptions create{};
  ChunkedIoOptions io{};
};

// Statistics from one listing of the array's prefix.
struct ChunkedStoredStats {
  std::size_t chunks_stored = 0;         // chunk objects present (others read as fill_value)
  std::uint64_t chunk_bytes_stored = 0;  // their total (compressed) size
};

// The layout a ChunkedArray handle reads.
enum class ChunkedLayout { Zarr, CottoncandyDask };

class ChunkedArray {
 public:
  // Creates a Zarr v2 array at `key`: writes `.zarray` (and `.zattrs` when attributes are given);
  // no chunk is written, so it reads as fill_value everywhere.
  // Errors: InvalidArgument (null store, bad key, chunk rank differing from the shape's, a zero
  // chunk extent, bad separator, attributes not an object, a fill value that does not fit the
  // dtype, a dtype Zarr v2 cannot describe); NotFound (unknown codec id) or InvalidArgument (bad
  // codec option); AlreadyExists (see overwrite); the store's errors.
  static ChunkedArray create(std::shared_ptr<ObjectStore> store, std::string_view key, Shape shape,
                             DType dtype, const ChunkedCreateOptions& options = {},
                             ChunkedIoOptions io = {});

  // Opens the array at `key`: a Zarr array (`key/.zarray`) or else cottoncandy's dask layout
  // (`key/metadata.json` with a "dask" entry). One GET (or two), no listing.
  // Errors: NotFound when neither exists; Corrupt for a malformed document (naming its URL);
  // Unsupported for a codec the registry lacks, filters, or structured dtypes; the store's errors.
  static ChunkedArray open(std::shared_ptr<ObjectStore> store, std::string_view key,
                           ChunkedIoOptions io = {});

  // Opens a Zarr array from metadata already in hand (a consolidated `.zmetadata`, say): no
  // request at all. Errors: as parse_zarray for bad metadata, Unsupported for an unknown codec.
  static ChunkedArray from_metadata(std::shared_ptr<ObjectStore> store, std::string_view key,
                                    ZarrArrayMetadata metadata, ChunkedIoOptions io = {});

  ChunkedLayout layout() const noexcept;
  const std::string& key() const noexcept;
  const std::shared_ptr<ObjectStore>& store() const noexcept;
  // The Zarr metadata (for the dask layout, an equivalent description: its dtype, its shape,
  // the extent of its first chunk per dimension, no compressor, fill 0).
  const ZarrArrayMetadata& metadata() const noexcept;
  const Shape& shape() const noexcept { return metadata().shape; }
  const DType& dtype() const noexcept { return metadata().dtype; }
  // For each dimension, where chunks begin: {0, c, 2c, ...} for Zarr; the dask layout's
  // (irregular) boundaries for it. One entry per chunk index along that dimension.
  std::vector<std::vector<std::size_t>> chunk_starts() const;

  // The store key of the chunk at grid position `index` (one entry per dimension).
  // Errors: InvalidArgument for a wrong rank or an index outside the grid.
  std::string chunk_key(const std::vector<std::size_t>& index) const;

  // The grid positions of the chunks `region` intersects, in C order (what a read fetches).
  // Errors: as resolve_region.
  std::vector<std::vector<std::size_t>> chunks_in(const Region& region) const;

  // Reads `region` into a new C-order Array of the array's dtype (byte order as stored).
  // Fetches only the intersecting chunks, `concurrency` at a time, decoding each straight into
  // the output when it is contiguous there and through a per-chunk buffer otherwise. A missing
  // chunk reads as fill_value. Errors: InvalidArgument (bad region); Corrupt for a chunk that
  // does not decode to exactly one chunk's bytes (naming its URL); Unavailable when cancelled;
  // the store's errors.
  Array read(const Region& region = {}) const;

  // Reads `region` into `destination`, which must have the selection's shape and the array's
  // dtype (either byte order: elements are swapped) and may have any strides.
  // Errors: as read, and InvalidArgument for a differing shape or dtype.
  void read_into(const Region& region, const MutableArrayView& destination) const;

  // Writes `source` (the selection's shape, the array's dtype in either byte order, any strides)
  // into `region`. Chunks entirely covered are encoded from `source` and put without a read;
  // chunks at the region's edges are read (or filled with fill_value when missing), modified and
  // put back. Chunks are processed `concurrency` at a time. A failed write leaves each chunk old
  // or new, never torn. Errors: InvalidArgument (bad region, shape or dtype); Unsupported for the
  // dask layout; Corrupt for an edge chunk that does not decode; the store's errors.
  void write(const Region& region, const ArrayView& source) const;

  // Changes the shape (same rank) and rewrites `.zarray`. Chunks wholly outside the new shape
  // are deleted (one listing of the prefix), as zarr-python does; chunks the new boundary cuts
  // are kept as they are, so growing again shows their old elements there, as in zarr-python.
  // Errors: InvalidArgument for a different rank; Unsupported for the dask layout; the store's.
  void resize(const Shape& new_shape);

  // The array's `.zattrs` (an empty object when absent), fetched now.
  // Errors: Corrupt when it is not a JSON object; the store's errors.
  nlohmann::json attributes() const;
  // Replaces `.zattrs`. Errors: InvalidArgument unless an object; Unsupported for the dask
  // layout; the store's errors.
  void set_attributes(const nlohmann::json& attributes) const;

  // Lists the array's prefix. Errors: the store's.
  ChunkedStoredStats stored_stats() const;

  ~ChunkedArray();
  ChunkedArray(ChunkedArray&&) noexcept;
  ChunkedArray& operator=(ChunkedArray&&) noexcept;

 private:
  struct State;
  explicit ChunkedArray(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// A chunk shape for `shape` whose chunks hold about `target_bytes` (at least one element):
// starting from the whole array, the largest extent is halved (rounding up) until a chunk fits,
// so chunks stay close to the array's proportions and trailing (contiguous) dimensions are split
// last among equals. A 0 extent gets chunk 1. Thread safety: pure.
std::vector<std::size_t> choose_chunk_shape(const Shape& shape, const DType& dtype,
                                            std::size_t target_bytes);

// Creates a Zarr array at `key` from `view` (its shape and dtype; chunks from
// options.create.chunks or choose_chunk_shape) and writes every chunk, `concurrency` at a time
// (no chunk is read back). Returns the open array. Errors: as ChunkedArray::create and write.
ChunkedArray save_chunked(std::shared_ptr<ObjectStore> store, std::string_view key,
                          const ArrayView& view, const ChunkedSaveOptions& options = {});

// --- Groups ---

// What a group holds directly: names of child arrays and child groups, sorted.
struct ZarrGroupMembers {
  std::vector<std::string> arrays;
  std::vector<std::string> groups;
};

// Creates a Zarr group at `key` (`.zgroup`, and `.zattrs` when attributes are not empty); an
// empty key is the store's root. An existing group is kept (only attributes are replaced when
// given). Errors: AlreadyExists when an array is at `key`; InvalidArgument for a bad key or
// attributes that are not an object; the store's errors.
void create_zarr_group(ObjectStore& store, std::string_view key,
                       const nlohmann::json& attributes = nlohmann::json::object());

// Whether `key/.zgroup` exists. Errors: the store's.
bool is_zarr_group(ObjectStore& store, std::string_view key);

// The arrays and groups directly below `key`, from one delimiter listing plus one HEAD per
// child. Errors: NotFound unless `key` is a group; the store's errors.
ZarrGroupMembers list_zarr_group(ObjectStore& store, std::string_view key);

// The `.zattrs` of the array or group at `key` (an empty object when absent); writes them.
// Errors: Corrupt for a document that is not an object; InvalidArgument (write) unless an object.
nlohmann::json read_zarr_attributes(ObjectStore& store, std::string_view key);
void write_zarr_attributes(ObjectStore& store, std::string_view key,
                           const nlohmann::json& attributes);

// Writes `key/.zmetadata` holding every `.zarray`, `.zattrs` and `.zgroup` below the group at
// `key`, as zarr.consolidate_metadata does (paths relative to `key`). Call it again after
// changing metadata: nothing updates it automatically (as in zarr-python).
// Errors: NotFound unless `key` is a group; Corrupt for a malformed document found; the store's.
ZarrConsolidated consolidate_zarr_metadata(ObjectStore& store, std::string_view key);

// A group opened once: with `.zmetadata` present (and use_consolidated), opening arrays below it
// and listing members costs no request; otherwise every call reads the store.
// Thread safety: immutable after open; methods may run concurrently.
class ZarrGroup {
 public:
  // Errors: NotFound unless `key` is a group; Corrupt for a malformed `.zmetadata`.
  static ZarrGroup open(std::shared_ptr<ObjectStore> store, std::string_view key,
                        bool use_consolidated = true, ChunkedIoOptions io = {});

  // Whether metadata came from `.zmetadata`.
  bool consolidated() const noexcept { return consolidated_.has_value(); }
  const std::string& key() const noexcept { return key_; }

  // Members of the group at `path` below this one ("" = this group).
  ZarrGroupMembers members(std::string_view path = "") const;
  // The array at `path` below this group (metadata from `.zmetadata` when consolidated).
  ChunkedArray open_array(std::string_view path) const;
  // `.zattrs` of `path` ("" = this group).
  nlohmann::json attributes(std::string_view path = "") const;

 private:
  std::shared_ptr<ObjectStore> store_;
  std::string key_;
  ChunkedIoOptions io_;
  std::optional<ZarrConsolidated> consolidated_;
};

}  // namespace ndbucket
