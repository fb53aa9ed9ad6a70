// Internal: how a dataset is cut into slabs of whole chunks for streaming between HDF5 and a
// store, so each slab is one hyperslab read (or write) and every chunk it covers is complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ndbucket/array/region.hpp"
#include "ndbucket/array/shape.hpp"

namespace ndbucket::hdf5 {

struct Slab {
  std::vector<std::size_t> start;  // one entry per dimension (none for a 0-d array)
  std::vector<std::size_t> count;
  std::uint64_t nbytes = 0;

  Region region() const;
};

// Chunk-aligned boxes covering `shape` once, in C order, each at most max_slab_bytes unless one
// chunk is larger (then one chunk each). A slab spans whole trailing dimensions and several
// chunk rows of the first dimension that is split, so HDF5 reads contiguous runs where it can.
// An empty array (a 0 extent) has no slab; a 0-d array has one. Thread safety: pure.
std::vector<Slab> plan_slabs(const Shape& shape, const std::vector<std::size_t>& chunks,
                             std::size_t itemsize, std::uint64_t max_slab_bytes);

// How many chunks may be encoded at once within `budget` (each worker holds a chunk and its
// encoded copy) while two slabs of at least budget / 4 are in flight: at least 1, at most
// `concurrency`.
std::size_t workers_within(std::uint64_t budget, std::uint64_t chunk_bytes,
                           std::size_t concurrency);

}  // namespace ndbucket::hdf5
