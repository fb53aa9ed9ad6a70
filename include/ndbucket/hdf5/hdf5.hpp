// HDF5 files to Zarr v2 trees in any store, and back.
//
//   auto store = ndbucket::open_store("s3://bucket/runs");
//   ndbucket::Hdf5ImportReport report = ndbucket::import_hdf5("run1.h5", store, "run1");
//   ndbucket::export_hdf5(store, "run1", "copy.h5");
//
// import_hdf5 maps the file's root group to a Zarr group at `prefix`, every HDF5 group to a Zarr
// group (`.zgroup`) and every dataset to a Zarr array (ChunkedArray) at the same path below it;
// attributes go to `.zattrs`. Types:
//  - integers and floats (f2, f4, f8) of either byte order -> `<i4`, `>f8` ... (order kept);
//  - h5py's bool (an int8 enum FALSE=0/TRUE=1) -> `|b1`; other enums -> their base integer type;
//  - h5py's complex (a compound of two floats named r and i) -> `<c8` / `<c16`;
//  - fixed-length strings -> `|S<n>` (bytes as stored, padding included);
//  - compound, variable-length, reference, array, opaque and bitfield types are "unsupported":
//    skipped (listed in the report and passed to the warning callback) or a failure, by option.
// A dataset keeps its HDF5 chunk shape when it is chunked; contiguous and compact ones get
// choose_chunk_shape(shape, dtype, target_chunk_bytes). Its fill value becomes `fill_value`.
//
// Thread safety: Debian's libhdf5 (serial) is not thread-safe, so calls of import_hdf5 and
// export_hdf5 in one process are serialised on one internal mutex and every HDF5 call runs on
// the calling thread; worker threads only encode, compress and move bytes. Other code in the
// process must not call libhdf5 at the same time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/array/chunked.hpp"
#include "ndbucket/codecs/registry.hpp"
#include "ndbucket/store/object_store.hpp"
#include "ndbucket/transfer/transfer_options.hpp"

namespace ndbucket {

// What to do with datasets whose type Zarr cannot hold (compound, variable-length, reference...).
enum class Hdf5UnsupportedPolicy {
  Skip,  // import everything else; list them in the report and tell the warning callback
  Fail,  // throw Unsupported listing all of them, before anything is written
};

// Called with one human-readable line per skipped object or attribute.
using Hdf5WarningCallback = std::function<void(const std::string& message)>;

struct Hdf5ImportOptions {
  // The chunk compressor: a numcodecs config ({"id": "zstd", "level": 3}), a codec id ("zstd"),
  // or null for none. Default: zarr-python's (blosc lz4, clevel 5, byte shuffle), so the tree is
  // what zarr.copy_all would write and any numcodecs reads it.
  nlohmann::json compressor = default_zarr_compressor();
  // Chunk size aimed at for datasets without HDF5 chunks (and for all when keep_hdf5_chunks is
  // false), see choose_chunk_shape.
  std::size_t target_chunk_bytes = std::size_t{4} << 20;
  bool keep_hdf5_chunks = true;
  // Datasets of fewer bytes than this are stored as cottoncandy raw arrays (ArrayStore, one
  // object) at the same key instead of Zarr arrays; 0 disables. Their attributes are dropped
  // (raw arrays carry only string metadata) and Zarr readers do not list them.
  std::uint64_t raw_array_threshold = 0;
  // The raw arrays' compression (ArraySaveOptions::compression; nullopt: cottoncandy's default).
  std::optional<std::string> raw_array_compression;
  // Write `.zmetadata` at `prefix` (zarr.consolidate_metadata) when done.
  bool consolidate = true;
  Hdf5UnsupportedPolicy unsupported = Hdf5UnsupportedPolicy::Skip;
  // Replace arrays already at the destination keys (false: AlreadyExists).
  bool overwrite = false;
  // Chunks encoded and put at once.
  std::size_t concurrency = 8;
  // Bytes of dataset slabs (read from the file, waiting to be encoded) plus chunk buffers held
  // at once: fewer workers run when chunks are large. A slab holds at least one chunk and one
  // worker always runs, so chunks larger than about budget / 4 make the import exceed it.
  std::uint64_t memory_budget = std::uint64_t{256} << 20;
  // Bytes of dataset elements written (done, total over all datasets), after each slab, on the
  // calling thread.
  ProgressCallback progress;
  Hdf5WarningCallback warning;
  CodecRegistry codecs = CodecRegistry::with_builtins();
};

// One object left out, with why.
struct Hdf5SkippedObject {
  std::string path;    // HDF5 path ("/group/dataset", "/group/dataset@attr" for attributes)
  std::string reason;  // e.g. "compound type", "variable-length string"
};

struct Hdf5ImportReport {
  std::size_t groups = 0;      // Zarr groups written (the root included)
  std::size_t arrays = 0;      // Zarr arrays written
  std::size_t raw_arrays = 0;  // cottoncandy raw arrays written (raw_array_threshold)
  std::uint64_t bytes = 0;     // dataset bytes imported (uncompressed)
  std::vector<Hdf5SkippedObject> skipped;
};

// Imports the HDF5 file `file` into `store` under `prefix` ("" = the store's root): see the top
// of this header. Each dataset is read on this thread in slabs of whole Zarr chunks (hyperslab
// reads) while worker threads encode and put the previous slab's chunks, under memory_budget.
// Errors: NotFound (no such file); Corrupt (not an HDF5 file, or libhdf5 failing to read it,
// with libhdf5's message); Unsupported (policy Fail, listing every unsupported object);
// InvalidArgument (bad options or a name that is not a valid key); AlreadyExists (an array at a
// destination key and !overwrite); the store's and codecs' errors. A failed import may leave
// part of the tree written.
Hdf5ImportReport import_hdf5(const std::filesystem::path& file, std::shared_ptr<ObjectStore> store,
                             std::string_view prefix, const Hdf5ImportOptions& options = {});

struct Hdf5ExportOptions {
  // Replace an existing file (false: AlreadyExists).
  bool overwrite = false;
  std::size_t concurrency = 8;
  // Bytes of chunk slabs held at once (one being read from the store, one being written).
  std::uint64_t memory_budget = std::uint64_t{256} << 20;
  ProgressCallback progress;  // bytes of elements written to the file (done, total), this thread
  Hdf5WarningCallback warning;
  CodecRegistry codecs = CodecRegistry::with_builtins();
};

struct Hdf5ExportReport {
  std::size_t groups = 0;    // HDF5 groups written (the root included)
  std::size_t datasets = 0;  // HDF5 datasets written
  std::uint64_t bytes = 0;
  std::vector<Hdf5SkippedObject> skipped;  // arrays whose dtype HDF5 cannot take ('U', 'V')
};

// Writes the Zarr group at `prefix` of `store` (and everything below it; `.zmetadata` is used
// when present) to the HDF5 file `file`: groups -> groups, arrays -> chunked datasets with the
// Zarr chunk shape (clipped to the shape; 0 extents become unlimited, the only way HDF5 chunks
// them; 0-d arrays are contiguous), zlib/gzip compressors -> the deflate filter at the same level
// (other codecs: uncompressed), fill_value
// -> the dataset's fill value, `.zattrs` -> attributes (numbers -> int64/uint64/float64, bools ->
// h5py's bool, strings -> UTF-8 variable-length strings, rectangular lists of those -> arrays;
// anything else -> its JSON text, with a warning). The file is written under a temporary name and
// renamed when complete. Errors: NotFound (no group at prefix); AlreadyExists (file exists and
// !overwrite); Io (libhdf5 cannot write, with its message); Corrupt (bad metadata or chunks);
// the store's errors.
Hdf5ExportReport export_hdf5(std::shared_ptr<ObjectStore> store, std::string_view prefix,
                             const std::filesystem::path& file,
                             const Hdf5ExportOptions& options = {});

}  // namespace ndbucket
