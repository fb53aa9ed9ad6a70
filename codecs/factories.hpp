// JSON factories of the built-in codecs and test hooks (internal).
#pragma once

#include <cstddef>
#include <memory>

#include <nlohmann/json_fwd.hpp>

#include "ndbucket/codecs/builtin.hpp"

namespace ndbucket::codec_detail {

std::shared_ptr<const Codec> zlib_from_config(const nlohmann::json& config);
std::shared_ptr<const Codec> gzip_from_config(const nlohmann::json& config);
std::shared_ptr<const Codec> bz2_from_config(const nlohmann::json& config);
std::shared_ptr<const Codec> zstd_from_config(const nlohmann::json& config, int workers);
std::shared_ptr<const Codec> lz4_from_config(const nlohmann::json& config);
std::shared_ptr<const Codec> lzma_from_config(const nlohmann::json& config);
std::shared_ptr<const Codec> blosc_from_config(const nlohmann::json& config, int threads);

// Codecs whose library calls see at most `max_step` bytes of input and of output at a time.
// Production uses the libraries' 32-bit limits; tests shrink them to exercise the loops that
// inputs over 4 GiB need without allocating such inputs.
std::shared_ptr<const Codec> make_zlib_codec_with_step(const ZlibOptions& options,
                                                       std::size_t max_step);
std::shared_ptr<const Codec> make_gzip_codec_with_step(const GzipOptions& options,
                                                       std::size_t max_step);
std::shared_ptr<const Codec> make_bz2_codec_with_step(const Bz2Options& options,
                                                      std::size_t max_step);

}  // namespace ndbucket::codec_detail
