#include "hdf5/slab_plan.hpp"

#include <algorithm>

namespace ndbucket::hdf5 {

Region Slab::region() const {
  Region region;
  for (std::size_t d = 0; d < start.size(); ++d) {
    region.push_back(Slice{static_cast<std::int64_t>(start[d]),
                           static_cast<std::int64_t>(start[d] + count[d]), 1});
  }
  return region;
}

std::vector<Slab> plan_slabs(const Shape& shape, const std::vector<std::size_t>& chunks,
                             std::size_t itemsize, std::uint64_t max_slab_bytes) {
  std::size_t n = shape.ndim();
  if (n == 0) return {Slab{{}, {}, itemsize}};
  for (std::size_t d = 0; d < n; ++d) {
    if (shape[d] == 0) return {};
  }
  // step[d]: the slab's extent along d. Dimensions before `split` take one chunk, `split` takes
  // as many chunk rows as fit, dimensions after it are whole.
  std::vector<std::size_t> chunk(n);
  for (std::size_t d = 0; d < n; ++d) chunk[d] = std::min(chunks[d], shape[d]);
  auto unit_bytes = [&](std::size_t split) {
    std::uint64_t bytes = itemsize;
    for (std::size_t d = 0; d < n; ++d) bytes *= d <= split ? chunk[d] : shape[d];
    return bytes;
  };
  std::size_t split = 0;
  while (split + 1 < n && unit_bytes(split) > max_slab_bytes) ++split;
  std::vector<std::size_t> step(n);
  for (std::size_t d = 0; d < n; ++d) step[d] = d < split ? chunk[d] : shape[d];
  std::uint64_t rows = std::max<std::uint64_t>(1, max_slab_bytes / unit_bytes(split));
  step[split] = static_cast<std::size_t>(
      std::min<std::uint64_t>(rows * chunk[split], shape[split] + chunk[split] - 1) / chunk[split] *
      chunk[split]);
  std::vector<Slab> slabs;
  std::vector<std::size_t> position(n, 0);
  while (true) {
    Slab slab{position, std::vector<std::size_t>(n), itemsize};
    for (std::size_t d = 0; d < n; ++d) {
      slab.count[d] = std::min(step[d], shape[d] - position[d]);
      slab.nbytes *= slab.count[d];
    }
    slabs.push_back(std::move(slab));
    std::size_t d = n;
    while (d > 0) {
      --d;
      position[d] += step[d];
      if (position[d] < shape[d]) break;
      position[d] = 0;
      if (d == 0) return slabs;
    }
  }
}

std::size_t workers_within(std::uint64_t budget, std::uint64_t chunk_bytes,
                           std::size_t concurrency) {
  std::uint64_t fit = budget / (4 * std::max<std::uint64_t>(chunk_bytes, 1));
  return static_cast<std::size_t>(
      std::clamp<std::uint64_t>(fit, 1, std::max<std::size_t>(concurrency, 1)));
}

}  // namespace ndbucket::hdf5
