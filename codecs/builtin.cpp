#include "ndbucket/codecs/builtin.hpp"

#include <nlohmann/json.hpp>

#include "factories.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket {

void register_builtin_codecs(CodecRegistry& registry, const BuiltinCodecSettings& settings) {
  if (settings.threads < 1) {
    throw Error(ErrorCode::InvalidArgument, "BuiltinCodecSettings::threads must be at least 1");
  }
  const int threads = settings.threads;
  registry.add("zlib", codec_detail::zlib_from_config);
  registry.add("gzip", codec_detail::gzip_from_config);
  registry.add("bz2", codec_detail::bz2_from_config);
  registry.add("zstd", [threads](const nlohmann::json& config) {
    return codec_detail::zstd_from_config(config, threads);
  });
  registry.add("lz4", codec_detail::lz4_from_config);
  registry.add("lzma", codec_detail::lzma_from_config);
  registry.add("blosc", [threads](const nlohmann::json& config) {
    return codec_detail::blosc_from_config(config, threads);
  });
}

}  // namespace ndbucket
