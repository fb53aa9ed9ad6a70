// Internal: HDF5 datatypes <-> NumPy dtypes, and HDF5 attributes <-> JSON values.
#pragma once

#include <hdf5.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hdf5/h5_handle.hpp"
#include "ndbucket/array/dtype.hpp"

namespace ndbucket::hdf5 {

// The dtype whose elements have the exact bytes of `type`'s elements (so data is read with the
// file type itself as memory type, no conversion), or nullopt with `why` naming the type class
// Zarr cannot hold ("compound type", "variable-length string" ...). See hdf5.hpp for the mapping.
std::optional<DType> dtype_of(hid_t type, std::string& why);

// The HDF5 type whose elements are laid out as `dtype`'s (used as file and memory type), or an
// invalid H5Id for dtypes HDF5 has no such type for ('U', 'V').
H5Id h5_type_for(const DType& dtype);

// One element's bytes (in `dtype`'s byte order) as a Zarr v2 fill_value.
nlohmann::json fill_value_json(const std::byte* element, const DType& dtype);

// The value of attribute `attr`: numbers, bools, strings, [re, im] for complex, nested lists of
// them for arrays, null for an empty (H5S_NULL) attribute; nullopt with `why` for other types.
std::optional<nlohmann::json> read_attribute(hid_t attr, const std::string& what, std::string& why);

// Writes `value` as attribute `name` of `object` (see export_hdf5 for the mapping). Returns false
// when the value had to be written as its JSON text.
bool write_attribute(hid_t object, const std::string& name, const nlohmann::json& value,
                     const std::string& what);

}  // namespace ndbucket::hdf5
