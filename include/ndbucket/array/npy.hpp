// NumPy's .npy format (versions 1.0, 2.0 and 3.0; C or Fortran order; either byte order).
//
// A .npy is a magic string, a version, a header length and a Python dict literal
//   {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces to a multiple of 64 bytes and ended by '\n', then the elements. The header
// parser is strict and bounded, because .npy files arrive from anywhere: anything that is not a
// header NumPy would write is Corrupt, never a crash or a huge allocation.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "ndbucket/array/array.hpp"
#include "ndbucket/core/bytes.hpp"

namespace ndbucket {

// What a .npy header says.
struct NpyHeader {
  int major_version = 1;  // 1, 2 or 3 (minor is always 0)
  DType dtype = DType::of<double>();
  Shape shape;
  Order order = Order::C;       // fortran_order
  std::size_t data_offset = 0;  // bytes before the elements: magic + length + header text
};

// The longest header text accepted. NumPy 1.24 refuses headers above 10,000 bytes by default;
// this is looser but keeps hostile files from asking for gigabytes.
inline constexpr std::size_t kMaxNpyHeaderSize = std::size_t{1} << 20;

// Bytes needed to know data_offset: the magic, version and length fields (12 for 2.0 and 3.0).
inline constexpr std::size_t kNpyPreambleSize = 12;

// The total header size (data_offset) from the first bytes of a .npy, which must hold at least
// kNpyPreambleSize bytes (or the whole file if shorter). Errors: Corrupt naming `what` for a bad
// magic, version or length. Thread safety: pure.
std::size_t npy_data_offset(ByteSpan prefix, std::string_view what);

// Parses the header at the start of `bytes`, which must hold at least data_offset bytes.
// Errors: Corrupt (naming `what`) for anything malformed, a truncated header, an element count
// or byte size that overflows; Unsupported for structured or object dtypes, datetimes.
// Thread safety: pure.
NpyHeader parse_npy_header(ByteSpan bytes, std::string_view what);

// The header for an array of `dtype` and `shape` in `order`, in `version` (0: the lowest that
// fits, as NumPy picks: 1.0 unless the header exceeds 65535 bytes). Errors: InvalidArgument for a
// version other than 0-3. Thread safety: pure.
Bytes make_npy_header(const DType& dtype, const Shape& shape, Order order, int version = 0);

struct NpyWriteOptions {
  int version = 0;  // 0 = automatic (1.0), else 1, 2 or 3
};

// A whole .npy: a C-contiguous view is written as C order, an F-contiguous one (that is not also
// C-contiguous) as fortran_order True, anything else is copied to C order. Thread safety: pure.
Bytes encode_npy(const ArrayView& view, const NpyWriteOptions& options = {});

// Reads a whole .npy held in memory into a new Array (in the file's order and byte order).
// Errors: as parse_npy_header; Corrupt when fewer element bytes follow than the shape needs
// (trailing bytes are ignored, as np.load does). Thread safety: pure.
Array decode_npy(ByteSpan bytes, std::string_view what = ".npy");

// Writes `view` as a .npy file at `path` (through a temporary file and a rename).
// Errors: Io/PermissionDenied/NotFound from the filesystem, naming the path.
void save_npy_file(const std::filesystem::path& path, const ArrayView& view,
                   const NpyWriteOptions& options = {});

// Reads a .npy file into a new Array, reading the elements straight into it.
// Errors: NotFound, Io, and as decode_npy, naming the path.
Array load_npy_file(const std::filesystem::path& path);

}  // namespace ndbucket
