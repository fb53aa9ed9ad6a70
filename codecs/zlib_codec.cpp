// numcodecs "zlib": an RFC 1950 stream, as Python's zlib.compress(data, level) writes it.
#include <nlohmann/json.hpp>

#include "config_reader.hpp"
#include "deflate_common.hpp"
#include "factories.hpp"

namespace ndbucket {
namespace codec_detail {
namespace {

class ZlibCodec final : public DeflateCodecBase {
 public:
  ZlibCodec(const ZlibOptions& options, std::size_t max_step)
      : DeflateCodecBase(Wrapper::kZlib, options.level, max_step) {}

  nlohmann::json config() const override { return {{"id", "zlib"}, {"level", level()}}; }
};

}  // namespace

std::shared_ptr<const Codec> make_zlib_codec_with_step(const ZlibOptions& options,
                                                       std::size_t max_step) {
  return std::make_shared<ZlibCodec>(options, max_step);
}

std::shared_ptr<const Codec> zlib_from_config(const nlohmann::json& config) {
  ConfigReader reader(config, "zlib");
  ZlibOptions options;
  options.level = static_cast<int>(reader.integer("level", options.level, -1, 9));
  reader.reject_unknown_keys();
  return make_zlib_codec(options);
}

}  // namespace codec_detail

std::shared_ptr<const Codec> make_zlib_codec(const ZlibOptions& options) {
  return codec_detail::make_zlib_codec_with_step(options, codec_detail::kMax32BitStep);
}

}  // namespace ndbucket
