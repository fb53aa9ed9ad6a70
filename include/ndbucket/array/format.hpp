// Text rendering of arrays the way NumPy prints them, for the CLI's `array show` and for logs.
#pragma once

#include <cstddef>
#include <string>

#include "ndbucket/array/array.hpp"

namespace ndbucket {

struct FormatOptions {
  // Arrays with more elements than this are summarised: only `edge_items` at each end of every
  // axis are printed, with "..." between (NumPy's threshold and edgeitems).
  std::size_t threshold = 1000;
  std::size_t edge_items = 3;
  int precision = 8;  // significant digits for floats
};

// The elements of `view` as nested brackets, e.g. "[[1. 2. 3.]\n [4. 5. 6.]]" (numbers, bools
// True/False, complex (1+2j), bytes b'..', strings '..', void as hex). Elements in either byte
// order print their values. Thread safety: pure.
std::string format_array(const ArrayView& view, const FormatOptions& options = {});

}  // namespace ndbucket
