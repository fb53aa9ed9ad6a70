// The built-in codecs: typed factories and registration into a CodecRegistry.
#pragma once

#include <memory>

#include "ndbucket/codecs/codec.hpp"
#include "ndbucket/codecs/options.hpp"
#include "ndbucket/codecs/registry.hpp"

namespace ndbucket {

// Runtime tuning applied to the codecs register_builtin_codecs() creates. It never changes what a
// decoder sees, so it is not part of any codec's JSON config.
struct BuiltinCodecSettings {
  // Threads one zstd or blosc call may use (ZstdOptions::workers, BloscOptions::threads).
  // 1 keeps every call on the calling thread and zstd output byte-identical to numcodecs.
  int threads = 1;
};

// Registers zlib, gzip, bz2, zstd, lz4, lzma and blosc in `registry`, each parsing its numcodecs
// JSON config. Throws AlreadyExists if one of those ids is already registered.
// Thread safety: as CodecRegistry::add.
void register_builtin_codecs(CodecRegistry& registry, const BuiltinCodecSettings& settings = {});

// Typed factories. Each throws InvalidArgument for an out-of-range option (a level outside the
// library's range, an unknown blosc cname, ...). Thread safety: pure; the codecs are thread-safe.
std::shared_ptr<const Codec> make_zlib_codec(const ZlibOptions& options = {});
std::shared_ptr<const Codec> make_gzip_codec(const GzipOptions& options = {});
std::shared_ptr<const Codec> make_bz2_codec(const Bz2Options& options = {});
std::shared_ptr<const Codec> make_zstd_codec(const ZstdOptions& options = {});
std::shared_ptr<const Codec> make_lz4_codec(const Lz4Options& options = {});
std::shared_ptr<const Codec> make_lzma_codec(const LzmaOptions& options = {});
std::shared_ptr<const Codec> make_blosc_codec(const BloscOptions& options = {});

}  // namespace ndbucket
