// numcodecs "zstd": one Zstandard frame that carries its content size (ZSTD_compress's output).
#include <zstd.h>

#include <algorithm>
#include <new>
#include <string>

#include <nlohmann/json.hpp>

#include "config_reader.hpp"
#include "context_pool.hpp"
#include "factories.hpp"
#include "stream_codec.hpp"

namespace ndbucket {
namespace codec_detail {
namespace {

// A zstd block decodes to at most 128 KiB and costs at least 4 bytes (3-byte header plus one RLE
// byte), so no valid frame expands more than 32768:1. A frame claiming more is corrupt, and is
// refused before its claimed size is allocated.
constexpr std::uint64_t kMaxZstdRatio = 32768;

struct CompressContext {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  CompressContext() {
    if (cctx == nullptr) throw std::bad_alloc();
  }
  ~CompressContext() { ZSTD_freeCCtx(cctx); }
  CompressContext(const CompressContext&) = delete;
  CompressContext& operator=(const CompressContext&) = delete;
};

struct DecompressContext {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  DecompressContext() {
    if (dctx == nullptr) throw std::bad_alloc();
  }
  ~DecompressContext() { ZSTD_freeDCtx(dctx); }
  DecompressContext(const DecompressContext&) = delete;
  DecompressContext& operator=(const DecompressContext&) = delete;
};

using DecompressPool = ContextPool<DecompressContext>;

void check(std::size_t code, std::string_view what) {
  if (ZSTD_isError(code)) {
    throw_invalid("zstd", std::string(what) + ": " + ZSTD_getErrorName(code));
  }
}

class ZstdEngine final : public DecodeEngine {
 public:
  explicit ZstdEngine(DecompressPool::Lease lease) : lease_(std::move(lease)) {
    // Streaming keeps libzstd's default window limit (2^27): the frames any level writes for
    // numcodecs-sized inputs fit, and a hostile header cannot make the decoder allocate more.
    check(ZSTD_DCtx_reset(lease_->dctx, ZSTD_reset_session_and_parameters), "ZSTD_DCtx_reset");
  }

  StepResult step(ByteSpan input, MutableByteSpan output) override {
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    ZSTD_outBuffer out{output.data(), output.size(), 0};
    const std::size_t code = ZSTD_decompressStream(lease_->dctx, &out, &in);
    if (ZSTD_isError(code)) {
      lease_.discard();
      throw_corrupt(name(), ZSTD_getErrorName(code));
    }
    // 0 means a frame ended and all of it was flushed.
    return {in.pos, out.pos, code == 0};
  }

  // The context starts the next frame by itself.
  bool restart() override { return true; }

  std::string_view name() const noexcept override { return "zstd"; }

 private:
  DecompressPool::Lease lease_;
};

class ZstdCodec final : public StreamCodec {
 public:
  explicit ZstdCodec(const ZstdOptions& options) : options_(options) {
    if (options.level < ZSTD_minCLevel() || options.level > ZSTD_maxCLevel()) {
      throw_invalid("zstd", "level must be in [" + std::to_string(ZSTD_minCLevel()) + ", " +
                                std::to_string(ZSTD_maxCLevel()) + "], got " +
                                std::to_string(options.level));
    }
    if (options.workers < 0) throw_invalid("zstd", "workers must not be negative");
    compressors_ = ContextPool<CompressContext>::create(
        [] { return std::make_unique<CompressContext>(); }, default_pool_size());
    decompressors_ = DecompressPool::create([] { return std::make_unique<DecompressContext>(); },
                                            default_pool_size());
  }

  std::string_view id() const noexcept override { return "zstd"; }

  nlohmann::json config() const override {
    nlohmann::json config = {{"id", "zstd"}, {"level", options_.level}};
    // numcodecs 0.11 has no checksum argument: emit it only when it matters.
    if (options_.checksum) config["checksum"] = true;
    return config;
  }

  std::size_t max_encoded_size(std::size_t input_size) const override {
    const std::size_t bound = ZSTD_compressBound(input_size);
    if (ZSTD_isError(bound)) {
      throw_invalid("zstd", "input of " + std::to_string(input_size) + " bytes is too large");
    }
    return bound;
  }

 protected:
  std::size_t do_encode(ByteSpan input, MutableByteSpan output,
                        const EncodeHints& /*hints*/) const override {
    auto lease = ContextPool<CompressContext>::acquire(compressors_);
    ZSTD_CCtx* cctx = lease->cctx;
    check(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters), "ZSTD_CCtx_reset");
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, options_.level), "level");
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1), "contentSizeFlag");
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, options_.checksum ? 1 : 0),
          "checksumFlag");
    if (options_.workers > 1 && input.size() >= options_.parallel_threshold) {
      // Fails only when libzstd was built without threads; then one thread it is.
      (void)ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, options_.workers);
    }
    // ZSTD_compress2 pledges the input size, so the frame records it even with workers.
    const std::size_t written =
        ZSTD_compress2(cctx, output.data(), output.size(), input.data(), input.size());
    if (ZSTD_isError(written)) {
      lease.discard();
      throw_invalid("zstd", std::string("compression failed: ") + ZSTD_getErrorName(written));
    }
    return written;
  }

  Bytes do_decode(ByteSpan input, const DecodeLimits& limits) const override {
    const unsigned long long size = declared_size(input);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN) return StreamCodec::do_decode(input, limits);
    if (size > limits.max_decoded_size) {
      throw_corrupt("zstd", "declares " + std::to_string(size) + " bytes, more than the limit of " +
                                std::to_string(limits.max_decoded_size));
    }
    Bytes output(static_cast<std::size_t>(size));
    decompress(input, output);
    return output;
  }

  void do_decode_into(ByteSpan input, MutableByteSpan output) const override {
    const unsigned long long size = declared_size(input);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN) return StreamCodec::do_decode_into(input, output);
    if (size != output.size()) {
      throw_corrupt("zstd", "declares " + std::to_string(size) + " bytes, expected " +
                                std::to_string(output.size()));
    }
    decompress(input, output);
  }

  std::unique_ptr<DecodeEngine> make_engine() const override {
    return std::make_unique<ZstdEngine>(DecompressPool::acquire(decompressors_));
  }

 private:
  // The total content size of all frames, or ZSTD_CONTENTSIZE_UNKNOWN when a frame omits it.
  static unsigned long long declared_size(ByteSpan input) {
    if (input.empty()) throw_corrupt("zstd", "empty input");
    // Walks the frame and block headers (without decoding) up to the end of the input, so a
    // truncated frame or trailing garbage is caught here, before anything is allocated.
    unsigned long long size = 0;
    bool unknown = false;
    for (ByteSpan rest = input; !rest.empty();) {
      const unsigned long long frame = ZSTD_getFrameContentSize(rest.data(), rest.size());
      const std::size_t frame_bytes = ZSTD_findFrameCompressedSize(rest.data(), rest.size());
      if (frame == ZSTD_CONTENTSIZE_ERROR || ZSTD_isError(frame_bytes) ||
          frame_bytes > rest.size()) {
        throw_corrupt("zstd", "not a sequence of complete zstd frames");
      }
      if (frame == ZSTD_CONTENTSIZE_UNKNOWN) {
        unknown = true;
      } else if (frame > ZSTD_CONTENTSIZE_ERROR - 1 - size) {
        throw_corrupt("zstd", "frame sizes overflow");
      } else {
        size += frame;
      }
      rest = rest.subspan(frame_bytes);
    }
    if (unknown) return ZSTD_CONTENTSIZE_UNKNOWN;
    if (size != ZSTD_CONTENTSIZE_UNKNOWN && size / kMaxZstdRatio > input.size()) {
      throw_corrupt("zstd", "declares " + std::to_string(size) + " bytes, impossible for " +
                                std::to_string(input.size()) + " compressed bytes");
    }
    return size;
  }

  void decompress(ByteSpan input, MutableByteSpan output) const {
    auto lease = DecompressPool::acquire(decompressors_);
    check(ZSTD_DCtx_reset(lease->dctx, ZSTD_reset_session_and_parameters), "ZSTD_DCtx_reset");
    const std::size_t written =
        ZSTD_decompressDCtx(lease->dctx, output.data(), output.size(), input.data(), input.size());
    if (ZSTD_isError(written)) throw_corrupt("zstd", ZSTD_getErrorName(written));
    if (written != output.size()) {
      throw_corrupt("zstd", "decodes to " + std::to_string(written) + " bytes, header says " +
                                std::to_string(output.size()));
    }
  }

  ZstdOptions options_;
  std::shared_ptr<ContextPool<CompressContext>> compressors_;
  std::shared_ptr<DecompressPool> decompressors_;
};

}  // namespace

std::shared_ptr<const Codec> zstd_from_config(const nlohmann::json& config, int workers) {
  ConfigReader reader(config, "zstd");
  ZstdOptions options;
  options.level =
      static_cast<int>(reader.integer("level", options.level, ZSTD_minCLevel(), ZSTD_maxCLevel()));
  options.checksum = reader.boolean("checksum", options.checksum);
  reader.reject_unknown_keys();
  options.workers = workers;
  return make_zstd_codec(options);
}

}  // namespace codec_detail

std::shared_ptr<const Codec> make_zstd_codec(const ZstdOptions& options) {
  return std::make_shared<codec_detail::ZstdCodec>(options);
}

}  // namespace ndbucket
