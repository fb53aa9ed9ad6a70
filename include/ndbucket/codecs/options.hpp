// Options of the built-in codecs, with numcodecs' defaults.
//
// Each struct mirrors the keyword arguments of the numcodecs class of the same name; its
// defaults are numcodecs 0.11's, so a default-constructed codec writes what numcodecs writes by
// default. Fields marked "runtime" tune speed only: they do not change what decoders see, are not
// part of Codec::config() and do not round-trip through JSON.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ndbucket {

// zlib (RFC 1950). JSON: {"id": "zlib", "level": 1}.
struct ZlibOptions {
  int level = 1;  // -1 (zlib's default, 6) or 0..9
};

// gzip, one member (RFC 1952), as Python's GzipFile writes it: no file name, OS byte 255, the
// extra-flags byte 4 for level 1 and 2 for level 9. JSON: {"id": "gzip", "level": 1}.
// ndbucket writes the modification time as 0 (numcodecs writes the current time), so its output
// is reproducible; decoders ignore the field.
struct GzipOptions {
  int level = 1;  // -1 (6) or 0..9; cottoncandy's lower-case "gzip" path writes level 9
};

// bzip2. JSON: {"id": "bz2", "level": 1}.
struct Bz2Options {
  int level = 1;  // 1..9, the block size in units of 100 kB
};

// Zstandard: one frame that always carries the content size. JSON: {"id": "zstd", "level": 1},
// plus "checksum": true when set (numcodecs >= 0.12 understands it).
struct ZstdOptions {
  int level = 1;          // ZSTD_minCLevel()..ZSTD_maxCLevel(); 0 means zstd's default (3)
  bool checksum = false;  // append a 32-bit content checksum to the frame
  // Runtime: worker threads for inputs of at least `parallel_threshold` bytes (ZSTD_c_nbWorkers).
  // 0 or 1 compresses on the calling thread, byte-identical to numcodecs. Several workers give a
  // different (still deterministic, still standard) frame. Ignored if libzstd lacks threads.
  int workers = 0;
  std::size_t parallel_threshold = std::size_t{16} << 20;
};

// numcodecs LZ4: the uncompressed size as 4 little-endian bytes, then one raw LZ4 block (not an
// LZ4 frame). Inputs above 0x7E000000 bytes are refused. JSON: {"id": "lz4", "acceleration": 1}.
struct Lz4Options {
  int acceleration = 1;  // >= 1; larger is faster and compresses less (values < 1 act as 1)
};

// LZMA. JSON: {"id": "lzma", "format": 1, "check": -1, "preset": null, "filters": null}.
// Only the .xz container (format 1) and the default filter chain are supported.
struct LzmaOptions {
  static constexpr int kFormatXz = 1;
  int format = kFormatXz;
  // -1 (the .xz default, CRC64), 0 none, 1 CRC32, 4 CRC64, 10 SHA-256.
  int check = -1;
  // 0..9, optionally OR-ed with 0x80000000 (extreme). Unset means 6, as in Python's lzma.
  std::optional<std::uint32_t> preset = std::nullopt;
};

// Blosc 1 chunks (libblosc). JSON: {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1,
// "blocksize": 0}.
struct BloscOptions {
  static constexpr int kAutoShuffle = -1;  // bit shuffle for 1-byte elements, else byte shuffle
  static constexpr int kNoShuffle = 0;
  static constexpr int kShuffle = 1;
  static constexpr int kBitShuffle = 2;
  std::string cname = "lz4";  // blosclz, lz4, lz4hc, zlib, zstd (snappy if libblosc has it)
  int clevel = 5;             // 0..9
  int shuffle = kShuffle;     // one of the constants above
  std::size_t blocksize = 0;  // 0 = automatic
  // Runtime: libblosc's internal threads per call (1..256).
  int threads = 1;
};

}  // namespace ndbucket
