// numcodecs "blosc": one Blosc 1 chunk (libblosc's blosc_compress_ctx output). A chunk holds at
// most 2^31 - 17 bytes, a limit of the format's 32-bit header fields.
#include <blosc.h>

#include <string>

#include <nlohmann/json.hpp>

#include "block_codec.hpp"
#include "config_reader.hpp"
#include "decode_driver.hpp"
#include "factories.hpp"

namespace ndbucket {
namespace codec_detail {
namespace {

class BloscCodec final : public BlockCodec {
 public:
  explicit BloscCodec(const BloscOptions& options) : options_(options) {
    // The _ctx functions need neither blosc_init() nor the global lock; only name lookup here.
    if (blosc_compname_to_compcode(options.cname.c_str()) < 0) {
      throw_invalid("blosc", "compressor \"" + options.cname +
                                 "\" is not available; libblosc has: " + blosc_list_compressors());
    }
    if (options.clevel < 0 || options.clevel > 9) {
      throw_invalid("blosc", "clevel must be 0..9, got " + std::to_string(options.clevel));
    }
    if (options.shuffle < BloscOptions::kAutoShuffle ||
        options.shuffle > BloscOptions::kBitShuffle) {
      throw_invalid("blosc",
                    "shuffle must be -1 (auto), 0, 1 or 2, got " + std::to_string(options.shuffle));
    }
    if (options.blocksize > static_cast<std::size_t>(BLOSC_MAX_BUFFERSIZE)) {
      throw_invalid("blosc", "blocksize too large: " + std::to_string(options.blocksize));
    }
    if (options.threads < 1 || options.threads > BLOSC_MAX_THREADS) {
      throw_invalid("blosc", "threads must be 1.." + std::to_string(BLOSC_MAX_THREADS));
    }
  }

  std::string_view id() const noexcept override { return "blosc"; }

  nlohmann::json config() const override {
    return {{"id", "blosc"},
            {"cname", options_.cname},
            {"clevel", options_.clevel},
            {"shuffle", options_.shuffle},
            {"blocksize", options_.blocksize}};
  }

  std::size_t max_encoded_size(std::size_t input_size) const override {
    if (input_size > static_cast<std::size_t>(BLOSC_MAX_BUFFERSIZE)) {
      throw_invalid("blosc", "input of " + std::to_string(input_size) +
                                 " bytes exceeds the Blosc 1 chunk limit of " +
                                 std::to_string(BLOSC_MAX_BUFFERSIZE) +
                                 " bytes; use zstd for larger data");
    }
    return input_size + BLOSC_MAX_OVERHEAD;
  }

 protected:
  std::size_t do_encode(ByteSpan input, MutableByteSpan output,
                        const EncodeHints& hints) const override {
    int shuffle = options_.shuffle;
    if (shuffle == BloscOptions::kAutoShuffle) {
      // numcodecs' AUTOSHUFFLE: bit shuffle helps only when elements are single bytes.
      shuffle = hints.element_size == 1 ? BLOSC_BITSHUFFLE : BLOSC_SHUFFLE;
    }
    const std::byte dummy{};
    const void* source = input.empty() ? &dummy : input.data();
    const int written = blosc_compress_ctx(
        options_.clevel, shuffle, hints.element_size, input.size(), source, output.data(),
        output.size(), options_.cname.c_str(), options_.blocksize, options_.threads);
    if (written <= 0) {
      throw_invalid("blosc", "blosc_compress_ctx failed with code " + std::to_string(written));
    }
    return static_cast<std::size_t>(written);
  }

 private:
  std::size_t declared_size(ByteSpan input) const override {
    if (input.size() < BLOSC_MIN_HEADER_LENGTH) {
      throw_corrupt("blosc",
                    "only " + std::to_string(input.size()) + " bytes, shorter than a Blosc header");
    }
    // blosc_decompress_ctx trusts the header's compressed size; validate checks it against the
    // bytes we actually have, which is what makes decompression memory-safe.
    std::size_t size = 0;
    if (blosc_cbuffer_validate(input.data(), input.size(), &size) != 0) {
      throw_corrupt("blosc", "invalid Blosc header or chunk longer than the input");
    }
    std::size_t nbytes = 0;
    std::size_t cbytes = 0;
    std::size_t blocksize = 0;
    blosc_cbuffer_sizes(input.data(), &nbytes, &cbytes, &blocksize);
    if (cbytes != input.size()) {
      // numcodecs ignores bytes past the chunk; they mean a damaged or mis-framed object here.
      throw_corrupt("blosc", "trailing bytes: the chunk is " + std::to_string(cbytes) +
                                 " bytes, the input " + std::to_string(input.size()));
    }
    return size;
  }

  void decompress(ByteSpan input, MutableByteSpan output) const override {
    if (output.empty()) return;  // blosc returns 0 (its error value) for an empty chunk
    const int written =
        blosc_decompress_ctx(input.data(), output.data(), output.size(), options_.threads);
    if (written < 0 || static_cast<std::size_t>(written) != output.size()) {
      throw_corrupt("blosc", "decompression failed (code " + std::to_string(written) + ")");
    }
  }

  BloscOptions options_;
};

}  // namespace

std::shared_ptr<const Codec> blosc_from_config(const nlohmann::json& config, int threads) {
  ConfigReader reader(config, "blosc");
  BloscOptions options;
  options.cname = reader.string("cname", options.cname);
  options.clevel = static_cast<int>(reader.integer("clevel", options.clevel, 0, 9));
  options.shuffle = static_cast<int>(reader.integer("shuffle", options.shuffle, -1, 2));
  options.blocksize = static_cast<std::size_t>(reader.integer(
      "blocksize", static_cast<std::int64_t>(options.blocksize), 0, BLOSC_MAX_BUFFERSIZE));
  reader.reject_unknown_keys();
  options.threads = threads;
  return make_blosc_codec(options);
}

}  // namespace codec_detail

std::shared_ptr<const Codec> make_blosc_codec(const BloscOptions& options) {
  return std::make_shared<codec_detail::BloscCodec>(options);
}

}  // namespace ndbucket
