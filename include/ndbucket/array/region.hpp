// Regions of n-d arrays: one slice (start, stop, step) per dimension, with NumPy's meaning.
//
//   ndbucket::Region r = {{0, 10}, {}, {100, 200, 2}};      // a[0:10, :, 100:200:2]
//   ndbucket::Region same = ndbucket::parse_region("0:10,:,100:200:2");
//
// A region names which elements of an array a chunked read or write touches; the result keeps
// every dimension (an index "5" is the slice 5:6, not a dropped axis).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/array/array.hpp"
#include "ndbucket/array/shape.hpp"

namespace ndbucket {

// One dimension's selection, as Python's slice(start, stop, step) with step >= 1.
// Negative start/stop count from the end; both are clamped to [0, extent] as NumPy does, so an
// out-of-range slice selects fewer (or no) elements rather than failing.
struct Slice {
  std::optional<std::int64_t> start;  // nullopt: 0
  std::optional<std::int64_t> stop;   // nullopt: the extent
  std::int64_t step = 1;              // >= 1 (0 or negative is InvalidArgument when resolved)

  // ':'  (the whole dimension)
  static Slice all() { return {}; }
  // 'i:i+1' (one index, dimension kept). Negative i counts from the end.
  static Slice index(std::int64_t i) {
    bool to_end = i == -1 || i == std::numeric_limits<std::int64_t>::max();
    return {i, to_end ? std::nullopt : std::optional(i + 1), 1};
  }

  friend bool operator==(const Slice&, const Slice&) = default;
};

// One Slice per leading dimension; missing trailing dimensions mean ':'. An empty Region is the
// whole array.
using Region = std::vector<Slice>;

// A Slice resolved against an extent: the elements start + k * step for k in [0, count).
struct ResolvedSlice {
  std::size_t start = 0;
  std::size_t count = 0;
  std::size_t step = 1;

  friend bool operator==(const ResolvedSlice&, const ResolvedSlice&) = default;
};

// Resolves `region` against `shape`: one ResolvedSlice per dimension of `shape`.
// Errors: InvalidArgument when the region has more slices than the shape has dimensions or a step
// is < 1. Thread safety: pure.
std::vector<ResolvedSlice> resolve_region(const Region& region, const Shape& shape);

// The shape of the elements a resolved region selects (the counts).
Shape selection_shape(const std::vector<ResolvedSlice>& resolved);

// The elements of `view` that `region` selects, as a view of the same memory (no copy): NumPy's
// view[region] for slices. Errors: as resolve_region. Thread safety: pure.
ArrayView region_view(const ArrayView& view, const Region& region);

// Parses NumPy slice syntax, one entry per dimension separated by ',': "0:10,:,5:20:2", "3",
// "-5:", "::2", "" (the whole array), spaces ignored, and "..." not supported. An integer entry
// "i" is Slice::index(i). Errors: InvalidArgument naming the text for anything else (a step of 0
// or below included). Thread safety: pure.
Region parse_region(std::string_view text);

// The region in NumPy syntax ("0:10,:,5:20:2"); parse_region(format_region(r)) == r up to
// spelling. Thread safety: pure.
std::string format_region(const Region& region);

}  // namespace ndbucket
