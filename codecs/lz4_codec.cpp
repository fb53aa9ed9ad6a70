// numcodecs "lz4": the uncompressed size as 4 little-endian bytes, then one raw LZ4 block. Not an
// LZ4 frame, and not streamable: the block format needs the whole input at once.
#include <lz4.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "block_codec.hpp"
#include "config_reader.hpp"
#include "decode_driver.hpp"
#include "factories.hpp"

namespace ndbucket {
namespace codec_detail {
namespace {

constexpr std::size_t kSizePrefix = 4;
// An LZ4 sequence's length bytes add at most 255 output bytes each, so a block expands at most
// about 255:1; a header claiming more is corrupt and is refused before allocating it.
constexpr std::uint64_t kMaxLz4Ratio = 255;

class Lz4Codec final : public BlockCodec {
 public:
  explicit Lz4Codec(const Lz4Options& options) : acceleration_(options.acceleration) {}

  std::string_view id() const noexcept override { return "lz4"; }
  nlohmann::json config() const override {
    return {{"id", "lz4"}, {"acceleration", acceleration_}};
  }

  std::size_t max_encoded_size(std::size_t input_size) const override {
    if (input_size > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE)) {
      throw_invalid("lz4", "input of " + std::to_string(input_size) +
                               " bytes exceeds the LZ4 block limit of 0x7E000000 (" +
                               std::to_string(LZ4_MAX_INPUT_SIZE) +
                               ") bytes; use zstd for larger data");
    }
    return kSizePrefix + static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(input_size)));
  }

 protected:
  std::size_t do_encode(ByteSpan input, MutableByteSpan output,
                        const EncodeHints& /*hints*/) const override {
    const auto size = static_cast<std::uint32_t>(input.size());
    for (std::size_t i = 0; i < kSizePrefix; ++i) {
      output[i] = static_cast<std::byte>(size >> (8 * i));
    }
    const int capacity = static_cast<int>(
        std::min<std::size_t>(output.size() - kSizePrefix, LZ4_compressBound(LZ4_MAX_INPUT_SIZE)));
    const int written =
        LZ4_compress_fast(reinterpret_cast<const char*>(input.data()),
                          reinterpret_cast<char*>(output.data() + kSizePrefix),
                          static_cast<int>(input.size()), capacity, std::max(acceleration_, 1));
    if (written <= 0) throw_invalid("lz4", "LZ4_compress_fast failed");
    return kSizePrefix + static_cast<std::size_t>(written);
  }

 private:
  std::size_t declared_size(ByteSpan input) const override {
    if (input.size() < kSizePrefix + 1) {
      throw_corrupt("lz4", "only " + std::to_string(input.size()) +
                               " bytes, shorter than the size prefix and a block");
    }
    std::uint32_t size = 0;
    for (std::size_t i = 0; i < kSizePrefix; ++i) {
      size |= std::to_integer<std::uint32_t>(input[i]) << (8 * i);
    }
    const std::uint64_t block = input.size() - kSizePrefix;
    if (size > static_cast<std::uint32_t>(LZ4_MAX_INPUT_SIZE) || size > block * kMaxLz4Ratio + 64) {
      throw_corrupt("lz4", "declares " + std::to_string(size) + " bytes, impossible for a " +
                               std::to_string(block) + "-byte block");
    }
    return size;
  }

  void decompress(ByteSpan input, MutableByteSpan output) const override {
    const ByteSpan block = input.subspan(kSizePrefix);
    if (block.size() > static_cast<std::size_t>(LZ4_compressBound(LZ4_MAX_INPUT_SIZE))) {
      throw_corrupt("lz4", "block larger than any LZ4 block can be");
    }
    char empty = 0;  // LZ4 wants a valid pointer even for an empty output
    char* out = output.empty() ? &empty : reinterpret_cast<char*>(output.data());
    // LZ4_decompress_safe never reads or writes outside the given sizes, whatever the block.
    const int written =
        LZ4_decompress_safe(reinterpret_cast<const char*>(block.data()), out,
                            static_cast<int>(block.size()), static_cast<int>(output.size()));
    if (written < 0) throw_corrupt("lz4", "malformed block or block larger than its declared size");
    if (static_cast<std::size_t>(written) != output.size()) {
      throw_corrupt("lz4", "decodes to " + std::to_string(written) + " bytes, header says " +
                               std::to_string(output.size()));
    }
  }

  int acceleration_;
};

}  // namespace

std::shared_ptr<const Codec> lz4_from_config(const nlohmann::json& config) {
  ConfigReader reader(config, "lz4");
  Lz4Options options;
  options.acceleration =
      static_cast<int>(reader.integer("acceleration", options.acceleration, INT32_MIN, INT32_MAX));
  reader.reject_unknown_keys();
  return make_lz4_codec(options);
}

}  // namespace codec_detail

std::shared_ptr<const Codec> make_lz4_codec(const Lz4Options& options) {
  return std::make_shared<codec_detail::Lz4Codec>(options);
}

}  // namespace ndbucket
