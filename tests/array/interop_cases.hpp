// The interop cases shared by the directory-store and the RGW interop tests. ndbucket writes every
// case into a store; a manifest in DIR tells tests/array/array_interop.py the keys, metadata and
// expected C-order bytes. The script checks those as cottoncandy, numpy and scipy would, and
// writes arrays exactly as cottoncandy's upload_raw_array / upload_sparse_array do, which
// check_python_cases then reads.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket::interop {

namespace fs = std::filesystem;

// Raw arrays: every dtype x every compression x shapes (0-d, 1-d, 3-d, empty), F-ordered and
// strided input; bodies go to `store`, the manifest and expected bytes to DIR/cpp.
nlohmann::json write_cpp_cases(const fs::path& dir, std::shared_ptr<ObjectStore> store);

// .npy files in DIR/npy_cpp: every dtype, versions 1-3, C and Fortran order.
nlohmann::json write_npy_cases(const fs::path& dir);

// Sparse matrices (csr, csc, coo) into `store`; manifest and dense expectations in DIR/sparse_cpp.
nlohmann::json write_sparse_cases(const fs::path& dir, std::shared_ptr<ObjectStore> store);

// Runs array_interop.py on DIR with `environment` ("NAME=value ..." prefixed to the command);
// fails the test with the script's output when it reports a failure.
void run_python(const fs::path& dir, const std::string& environment = "");

// Reads what the script wrote: raw arrays under "py/", sparse matrices under "sparse/", .npy
// files. With `put_first`, the script wrote local files and they are put into `store` first (with
// their metadata, as cottoncandy would have); otherwise the script already put them there.
void check_python_cases(const fs::path& dir, ObjectStore& store, bool put_first);

}  // namespace ndbucket::interop
