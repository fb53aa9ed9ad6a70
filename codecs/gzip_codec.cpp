// numcodecs "gzip": one gzip member framed as Python's GzipFile frames it. Decoding accepts any
// member (cottoncandy writes level 9 with a real mtime) and concatenated members.
#include <nlohmann/json.hpp>

#include "config_reader.hpp"
#include "deflate_common.hpp"
#include "factories.hpp"

namespace ndbucket {
namespace codec_detail {
namespace {

// Deflate cannot expand more than 1032:1, so a larger ISIZE is not a size hint worth trusting.
constexpr std::size_t kMaxDeflateRatio = 1032;

class GzipCodec final : public DeflateCodecBase {
 public:
  GzipCodec(const GzipOptions& options, std::size_t max_step)
      : DeflateCodecBase(Wrapper::kGzip, options.level, max_step) {}

  nlohmann::json config() const override { return {{"id", "gzip"}, {"level", level()}}; }

 protected:
  std::size_t decoded_size_hint(ByteSpan input) const override {
    // The trailer's ISIZE is the member's size mod 2^32: exact for one member under 4 GiB, which
    // is what numcodecs and cottoncandy write. Larger or multi-member data just grows the buffer.
    if (input.size() < 18) return 0;
    const std::byte* tail = input.data() + input.size() - 4;
    std::size_t isize = 0;
    for (int i = 3; i >= 0; --i) isize = (isize << 8) | std::to_integer<std::size_t>(tail[i]);
    if (isize == 0 || isize / kMaxDeflateRatio > input.size()) {
      return StreamCodec::decoded_size_hint(input);
    }
    return isize;
  }
};

}  // namespace

std::shared_ptr<const Codec> make_gzip_codec_with_step(const GzipOptions& options,
                                                       std::size_t max_step) {
  return std::make_shared<GzipCodec>(options, max_step);
}

std::shared_ptr<const Codec> gzip_from_config(const nlohmann::json& config) {
  ConfigReader reader(config, "gzip");
  GzipOptions options;
  options.level = static_cast<int>(reader.integer("level", options.level, -1, 9));
  reader.reject_unknown_keys();
  return make_gzip_codec(options);
}

}  // namespace codec_detail

std::shared_ptr<const Codec> make_gzip_codec(const GzipOptions& options) {
  return codec_detail::make_gzip_codec_with_step(options, codec_detail::kMax32BitStep);
}

}  // namespace ndbucket
