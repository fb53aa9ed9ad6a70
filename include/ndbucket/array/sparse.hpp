// Sparse matrices in cottoncandy's layout: `name/<attr>` raw arrays plus `name/metadata.json`
// = {"type": "csr", "attrs": ["data", "indices", "indptr"], "shape": [10, 8]}.
//
// Writes CSR (Eigen row-major), CSC (Eigen column-major) and COO (triplets); reads every type
// cottoncandy writes (csr, csc, coo, bsr, dia) and converts it to triplets or an Eigen matrix.
// Index arrays are checked before use, so a tampered object is Corrupt, never out-of-bounds.
#pragma once

#include <Eigen/SparseCore>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/array/array_store.hpp"

namespace ndbucket {

// The arrays of one stored sparse matrix, as scipy names them.
struct SparseArrays {
  std::string type;  // "csr", "csc", "coo", "bsr" or "dia"
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::string> attr_order;  // as listed in metadata.json
  std::map<std::string, Array> attrs;   // "data", "indices", "indptr", "row", "col", "offsets"
};

// A sparse matrix as coordinates: entry k is data[k] at (row[k], col[k]). Duplicates add up,
// as in scipy. `data` is 1-d with the stored dtype.
struct Triplets {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::int64_t> row;
  std::vector<std::int64_t> col;
  Array data;
};

// Writes `arrays` under `name` (each attr a raw array with `options`, then metadata.json).
// Errors: InvalidArgument for an unknown type or attrs that do not match it; the store's errors.
// Thread safety: as ArrayStore.
void save_sparse_arrays(const ArrayStore& store, std::string_view name, const SparseArrays& arrays,
                        const ArraySaveOptions& options = {});

// Writes only `name/metadata.json` for a matrix of `type` whose attrs are already stored, with
// the attr list cottoncandy uses for that type. Errors: InvalidArgument for an unknown type.
void save_sparse_metadata(const ArrayStore& store, std::string_view name, std::string_view type,
                          std::size_t rows, std::size_t cols);

// Reads the arrays of the sparse matrix under `name`. Errors: NotFound (no metadata.json);
// Corrupt for bad metadata.json or attrs; Unsupported for an unknown type; as ArrayStore::load.
SparseArrays load_sparse_arrays(const ArrayStore& store, std::string_view name);

// Converts any stored type to coordinates (dia drops its zero padding, as scipy's tocoo does).
// Errors: Corrupt (naming `what`) for inconsistent lengths or indices out of range.
Triplets to_triplets(const SparseArrays& arrays, std::string_view what);

// Writes triplets as cottoncandy's coo type (attrs row, col, data; indices as <i8).
// Errors: InvalidArgument when the lengths differ.
void save_coo(const ArrayStore& store, std::string_view name, const Triplets& triplets,
              const ArraySaveOptions& options = {});

// Writes an Eigen sparse matrix without copying its arrays: row-major as csr, column-major as
// csc (a matrix not in compressed mode is compressed in a copy first). Index arrays carry
// StorageIndex's dtype (<i4 for Eigen's default int). Errors: as save_sparse_arrays.
template <typename Scalar, int Options, typename StorageIndex>
void save_sparse(const ArrayStore& store, std::string_view name,
                 const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& matrix,
                 const ArraySaveOptions& options = {}) {
  if (!matrix.isCompressed()) {
    Eigen::SparseMatrix<Scalar, Options, StorageIndex> compressed = matrix;
    compressed.makeCompressed();
    save_sparse(store, name, compressed, options);
    return;
  }
  auto nnz = static_cast<std::size_t>(matrix.nonZeros());
  auto outer = static_cast<std::size_t>(matrix.outerSize()) + 1;
  struct {
    std::string type;
    std::size_t rows, cols;
  } arrays{(Options & Eigen::RowMajor) ? "csr" : "csc", static_cast<std::size_t>(matrix.rows()),
           static_cast<std::size_t>(matrix.cols())};
  // Views, not copies: save() reads them in place.
  ArrayView data = ArrayView::of(std::span<const Scalar>(matrix.valuePtr(), nnz), Shape{nnz});
  ArrayView indices =
      ArrayView::of(std::span<const StorageIndex>(matrix.innerIndexPtr(), nnz), Shape{nnz});
  ArrayView indptr =
      ArrayView::of(std::span<const StorageIndex>(matrix.outerIndexPtr(), outer), Shape{outer});
  store.save(std::string(name) + "/data", data, options);
  store.save(std::string(name) + "/indices", indices, options);
  store.save(std::string(name) + "/indptr", indptr, options);
  save_sparse_metadata(store, name, arrays.type, arrays.rows, arrays.cols);
}

// Reads any stored sparse type into an Eigen sparse matrix (duplicates summed).
// Errors: InvalidArgument when the stored data dtype is not Scalar's; as load_sparse_arrays and
// to_triplets otherwise.
template <typename Scalar, int Options = Eigen::ColMajor, typename StorageIndex = int>
Eigen::SparseMatrix<Scalar, Options, StorageIndex> load_sparse(const ArrayStore& store,
                                                               std::string_view name) {
  Triplets t = to_triplets(load_sparse_arrays(store, name), store.store()->describe(name));
  if (t.rows > static_cast<std::size_t>(std::numeric_limits<StorageIndex>::max()) ||
      t.cols > static_cast<std::size_t>(std::numeric_limits<StorageIndex>::max())) {
    throw Error(ErrorCode::InvalidArgument,
                store.store()->describe(name) + ": too large for the Eigen index type");
  }
  std::vector<Scalar> values = t.data.to_vector<Scalar>();
  std::vector<Eigen::Triplet<Scalar, StorageIndex>> entries;
  entries.reserve(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    entries.emplace_back(static_cast<StorageIndex>(t.row[k]), static_cast<StorageIndex>(t.col[k]),
                         values[k]);
  }
  Eigen::SparseMatrix<Scalar, Options, StorageIndex> out(static_cast<Eigen::Index>(t.rows),
                                                         static_cast<Eigen::Index>(t.cols));
  out.setFromTriplets(entries.begin(), entries.end());
  return out;
}

}  // namespace ndbucket
