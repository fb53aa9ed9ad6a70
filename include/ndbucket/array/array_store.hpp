// ArrayStore: n-d arrays in any ObjectStore, in cottoncandy's raw-array layout.
//
// One object per array: the elements in C order (or Fortran order when an old cottoncandy wrote
// `order=F`), optionally compressed by a codec, with string metadata `dtype` (NumPy's
// dtype.str), `shape` ("2,3,4"), `compression` ("False", "gzip", "Zstd" ...) and `order`.
// cottoncandy reads what ArrayStore writes and the other way round (see cottoncandy.md).
//
//   ndbucket::ArrayStore arrays(ndbucket::open_store("s3://bucket/run1"));
//   arrays.save("weights", ndbucket::as_array_view(matrix), {.compression = "Zstd"});
//   ndbucket::Array w = arrays.load("weights");
//
// Thread safety: every method is const and may be called from many threads at once (the store
// and the registry are thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ndbucket/array/array.hpp"
#include "ndbucket/array/npy.hpp"
#include "ndbucket/codecs/registry.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

struct ArraySaveOptions {
  // nullopt: cottoncandy's default, "gzip" (GzipFile level 9) up to 2 GiB, "Zstd" above.
  // "none" or "False" (any case): the raw bytes, sent straight from the caller's memory.
  // "gzip" exactly: cottoncandy's GzipFile path (level 9). Any other registered codec id in any
  // case ("Zstd", "LZ4", "zlib", "GZIP", "BZ2", "lzma", "Blosc"): that codec with numcodecs'
  // defaults; the metadata keeps the spelling given, as cottoncandy does.
  std::optional<std::string> compression;
  // Extra user metadata. Names are lower-cased by the store; dtype, shape, compression, order and
  // gzip are reserved.
  Metadata metadata;
};

// What a HEAD tells about a stored raw array.
struct ArrayInfo {
  std::string key;
  DType dtype = DType::of<double>();
  Shape shape;
  // The body's compression: "False" for none, else the codec name as stored ("gzip", "Zstd" ...).
  // A legacy `gzip: True` key reads as "gzip".
  std::string compression;
  // Memory order of an uncompressed or gzip body (Order::F only when `order=F` was written).
  Order order = Order::C;
  std::uint64_t stored_size = 0;  // the object's size in bytes (compressed)
  Metadata metadata;              // user metadata only, without the array keys above
};

// Tuning of an ArrayStore.
struct ArrayStoreOptions {
  // Compressed bodies larger than this are fetched in ranged reads of this size and fed to a
  // streaming decoder (gzip, zlib, zstd, bz2, lzma), so a load holds the decoded array plus one
  // piece rather than the whole compressed body too. lz4 and blosc need the whole body.
  std::size_t read_piece_size = std::size_t{8} << 20;
};

class ArrayStore {
 public:
  // Arrays in `store` (which must not be null), compressed by codecs from `codecs`.
  // Errors: InvalidArgument for a null store or a zero read_piece_size.
  explicit ArrayStore(std::shared_ptr<ObjectStore> store,
                      CodecRegistry codecs = CodecRegistry::with_builtins(),
                      ArrayStoreOptions options = {});

  // Writes `view` under `key` as a cottoncandy raw array. A C-contiguous view goes out without
  // a copy when uncompressed; any other layout is written in C order (one copy). Returns the
  // object's info. Errors: InvalidArgument (bad key, reserved metadata name, empty compression
  // name, too large for the codec), NotFound (unknown codec), the store's errors.
  ObjectInfo save(std::string_view key, const ArrayView& view,
                  const ArraySaveOptions& options = {}) const;

  // Reads the array under `key` into a new 64-byte aligned Array (C order, or F order for an
  // `order=F` body), decoding straight into it. Errors: NotFound; Corrupt for metadata that does
  // not describe an array (missing compression/gzip key, bad dtype or shape), a short body, or a
  // body that does not decode to exactly the expected bytes; Unsupported for an unknown codec or
  // dtype; the store's errors.
  Array load(std::string_view key) const;

  // Reads the array under `key` into `destination`, which must have the stored shape and dtype
  // (its byte order may differ: elements are swapped) and may have any strides. Contiguous
  // destinations are written in place; others through one temporary. Errors: as load, and
  // InvalidArgument when shape or dtype differ.
  void load_into(std::string_view key, const MutableArrayView& destination) const;

  // Writes `view` as a .npy object, as cottoncandy's upload_npy_array: only `metadata` is
  // attached (no array keys). Errors: InvalidArgument (bad key, bad version), the store's errors.
  ObjectInfo save_npy(std::string_view key, const ArrayView& view, const Metadata& metadata = {},
                      const NpyWriteOptions& options = {}) const;

  // Reads a .npy object: the header by a ranged GET, then the elements straight into the new
  // Array (in the file's order and byte order). Errors: NotFound; Corrupt for a bad header or a
  // short body; Unsupported for structured dtypes; the store's errors.
  Array load_npy(std::string_view key) const;

  // The header of a .npy object, from ranged reads of its first bytes only.
  // Errors: NotFound; Corrupt for a bad or truncated header; Unsupported as load_npy.
  NpyHeader npy_info(std::string_view key) const;

  // Reads `key` whatever its format: a raw array when its metadata has cottoncandy's keys, else
  // a .npy body. Errors: as load and load_npy (Corrupt for an object that is neither).
  Array load_any(std::string_view key) const;

  // The array's dtype, shape, compression and user metadata, from a HEAD only.
  // Errors: NotFound; Corrupt as for load; the store's errors.
  ArrayInfo info(std::string_view key) const;

  const std::shared_ptr<ObjectStore>& store() const noexcept { return store_; }
  const CodecRegistry& codecs() const noexcept { return codecs_; }

 private:
  void read_body(const ArrayInfo& info, MutableByteSpan destination) const;
  // The .npy header of `key`, the object's size, and the bytes read (at least the header).
  NpyHeader read_npy_header(std::string_view key, std::uint64_t& size, Bytes& prefix) const;

  std::shared_ptr<ObjectStore> store_;
  CodecRegistry codecs_;
  ArrayStoreOptions options_;
};

// Whether `metadata` carries cottoncandy's raw-array keys (a `compression` or legacy `gzip` name,
// any case), i.e. the object is a raw array rather than a .npy or plain object. Thread safety:
// pure.
bool is_raw_array_metadata(const Metadata& metadata);

// Parses cottoncandy's array metadata (names matched case-insensitively) for the object `what`.
// Errors: Corrupt when the metadata does not describe a raw array. Thread safety: pure.
ArrayInfo parse_array_metadata(const Metadata& metadata, std::string_view what);

}  // namespace ndbucket
