// Zarr v2 metadata documents: `.zarray`, `.zattrs`, `.zgroup` and consolidated `.zmetadata`
// (https://zarr.readthedocs.io/en/stable/spec/v2.html), parsed and written as zarr-python 2.x
// does. Every parser takes untrusted bytes and either returns a checked struct or throws
// Corrupt naming `what` (the object's URL); none of them reads past its input or allocates more
// than a small multiple of it, so each is a one-line fuzz target.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/array/dtype.hpp"
#include "ndbucket/array/shape.hpp"
#include "ndbucket/core/bytes.hpp"

namespace ndbucket {

// The contents of a `.zarray` document.
struct ZarrArrayMetadata {
  Shape shape;
  std::vector<std::size_t> chunks;  // one extent >= 1 per dimension
  DType dtype = DType::of<double>();
  // The compressor's numcodecs config ({"id": "blosc", "cname": "lz4", ...}) or null for none.
  nlohmann::json compressor;
  // The fill value as Zarr v2 JSON: null, a number, "NaN", "Infinity", "-Infinity", true/false,
  // [re, im] for complex, base64 text for S/V dtypes, a string for U dtypes.
  nlohmann::json fill_value = 0;
  Order order = Order::C;
  char dimension_separator = '.';  // '.' or '/'
  // Only null (no filters) is supported; kept to round-trip the document.
  nlohmann::json filters;

  // The number of chunks along each dimension (ceil(shape / chunks); 0 for an empty extent).
  std::vector<std::size_t> chunk_grid() const;
  // The bytes of one decoded chunk: prod(chunks) * itemsize.
  std::size_t chunk_nbytes() const;
  // The document as zarr-python writes it: sorted keys, 4-space indent, "zarr_format": 2.
  std::string to_json() const;
  nlohmann::json to_json_value() const;

  friend bool operator==(const ZarrArrayMetadata&, const ZarrArrayMetadata&) = default;
};

// Parses a `.zarray` document. Checks: a JSON object with zarr_format 2; shape and chunks lists
// of equal length of non-negative (chunks: positive) integers whose chunk byte size fits 62
// bits; a simple dtype string DType::parse accepts; compressor null or an object with a string
// "id"; order "C" or "F"; filters null; dimension_separator absent, "." or "/"; a fill_value
// valid for the dtype (see fill_value_bytes). Errors: Corrupt naming `what` for any violation;
// Unsupported for structured/object/datetime dtypes or non-null filters. Thread safety: pure.
ZarrArrayMetadata parse_zarray(ByteSpan text, std::string_view what);
ZarrArrayMetadata parse_zarray(std::string_view text, std::string_view what);

// Parses a `.zattrs` document: any JSON object. Errors: Corrupt otherwise. Thread safety: pure.
nlohmann::json parse_zattrs(std::string_view text, std::string_view what);

// Parses a `.zgroup` document ({"zarr_format": 2}). Errors: Corrupt otherwise.
void parse_zgroup(std::string_view text, std::string_view what);

// Consolidated metadata (`.zmetadata` at a group's root, as zarr.consolidate_metadata writes it):
// {"metadata": {"<path>/.zarray": {...}, "<path>/.zattrs": {...}, ".zgroup": {...}},
//  "zarr_consolidated_format": 1}. Paths are relative to the group holding the `.zmetadata`.
struct ZarrConsolidated {
  std::map<std::string, nlohmann::json> documents;  // key relative to the group -> document

  // The document as zarr-python writes it (sorted keys, 4-space indent).
  std::string to_json() const;
};

// Parses `.zmetadata`. Each `.zarray` entry is validated as parse_zarray would, each `.zattrs`
// must be an object, each `.zgroup` a zarr_format 2 object. Errors: Corrupt naming `what`.
ZarrConsolidated parse_zmetadata(std::string_view text, std::string_view what);

// The Zarr v2 JSON spelling of a fill value given for `dtype`: a NaN/infinite double becomes
// "NaN"/"Infinity"/"-Infinity"; for bool, 0/1 become false/true; for S/V dtypes the number 0
// becomes the base64 of itemsize zero bytes and for U dtypes ""; anything else is returned as
// given (fill_value_bytes validates it). Thread safety: pure.
nlohmann::json normalize_fill_value(const nlohmann::json& fill_value, const DType& dtype);

// The fill value of `metadata` as one element of its dtype, in the dtype's byte order
// (itemsize bytes). A null fill value gives zero bytes (all 0x00), as ndbucket reads missing
// chunks of such arrays as zeros. Errors: Corrupt (naming `what`) when the JSON does not fit
// the dtype (a string for an int, an integer out of range, bad base64 ...). Thread safety: pure.
Bytes fill_value_bytes(const nlohmann::json& fill_value, const DType& dtype, std::string_view what);

}  // namespace ndbucket
