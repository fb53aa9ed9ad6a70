// numcodecs "lzma": an .xz stream, as Python's lzma.compress(data, FORMAT_XZ, check, preset)
// writes it.
#include <lzma.h>

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

// Python's lzma module and numcodecs use -1 for "the container's default" (CRC64 for .xz).
constexpr int kDefaultCheck = -1;
// A decoder needs about its dictionary size; presets use at most 64 MiB (9e). The limit stops a
// hostile header from asking for gigabytes.
constexpr std::uint64_t kDecoderMemoryLimit = std::uint64_t{1} << 30;
// Each preset-6 encoder holds ~94 MiB of match-finder tables; keep few of them idle.
constexpr std::size_t kIdleEncoders = 2;

struct LzmaContext {
  lzma_stream stream = LZMA_STREAM_INIT;
  LzmaContext() = default;
  ~LzmaContext() { lzma_end(&stream); }
  LzmaContext(const LzmaContext&) = delete;
  LzmaContext& operator=(const LzmaContext&) = delete;
};

using LzmaPool = ContextPool<LzmaContext>;

std::string lzma_message(lzma_ret code) {
  switch (code) {
    case LZMA_FORMAT_ERROR:
      return "not an .xz stream";
    case LZMA_OPTIONS_ERROR:
      return "unsupported options in the .xz headers";
    case LZMA_DATA_ERROR:
      return "corrupt .xz data (LZMA_DATA_ERROR)";
    case LZMA_BUF_ERROR:
      return "truncated .xz data";
    case LZMA_MEMLIMIT_ERROR:
      return "the stream needs more than " + std::to_string(kDecoderMemoryLimit >> 20) +
             " MiB of decoder memory";
    case LZMA_UNSUPPORTED_CHECK:
      return "unsupported integrity check";
    default:
      return "liblzma error " + std::to_string(static_cast<int>(code));
  }
}

class LzmaEngine final : public DecodeEngine {
 public:
  explicit LzmaEngine(LzmaPool::Lease lease) : lease_(std::move(lease)) { init(); }

  StepResult step(ByteSpan input, MutableByteSpan output) override {
    lzma_stream& s = lease_->stream;
    s.next_in = reinterpret_cast<const std::uint8_t*>(input.data());
    s.avail_in = input.size();
    s.next_out = reinterpret_cast<std::uint8_t*>(output.data());
    s.avail_out = output.size();
    const lzma_ret code = lzma_code(&s, LZMA_RUN);
    StepResult result{input.size() - s.avail_in, output.size() - s.avail_out,
                      code == LZMA_STREAM_END};
    if (code == LZMA_OK || code == LZMA_STREAM_END) return result;
    if (code == LZMA_BUF_ERROR) return result;  // no progress possible; the driver decides
    if (code == LZMA_MEM_ERROR) throw std::bad_alloc();
    lease_.discard();
    throw_corrupt(name(), lzma_message(code));
  }

  bool restart() override {
    // Python's lzma.decompress reads concatenated .xz streams as one.
    init();
    return true;
  }

  std::string_view name() const noexcept override { return "lzma"; }

 private:
  void init() {
    // Re-initializing a used lzma_stream reuses its dictionary allocation.
    const lzma_ret code = lzma_stream_decoder(&lease_->stream, kDecoderMemoryLimit, 0);
    if (code == LZMA_MEM_ERROR) throw std::bad_alloc();
    if (code != LZMA_OK) throw_invalid("lzma", "lzma_stream_decoder: " + lzma_message(code));
  }

  LzmaPool::Lease lease_;
};

class LzmaCodec final : public StreamCodec {
 public:
  explicit LzmaCodec(const LzmaOptions& options) : options_(options) {
    if (options.format != LzmaOptions::kFormatXz) {
      throw Error(ErrorCode::Unsupported, "lzma: only format 1 (.xz) is supported, got format " +
                                              std::to_string(options.format));
    }
    if (options.check != kDefaultCheck &&
        (options.check < 0 || options.check > LZMA_CHECK_ID_MAX ||
         !lzma_check_is_supported(static_cast<lzma_check>(options.check)))) {
      throw_invalid("lzma", "unsupported check " + std::to_string(options.check) +
                                " (use -1, 0, 1, 4 or 10)");
    }
    if (options.preset) {
      const std::uint32_t level = *options.preset & LZMA_PRESET_LEVEL_MASK;
      const std::uint32_t flags = *options.preset & ~LZMA_PRESET_LEVEL_MASK;
      if (level > 9 || (flags & ~LZMA_PRESET_EXTREME) != 0) {
        throw_invalid("lzma", "preset must be 0..9, optionally | 0x80000000, got " +
                                  std::to_string(*options.preset));
      }
    }
    encoders_ = LzmaPool::create([] { return std::make_unique<LzmaContext>(); }, kIdleEncoders);
    decoders_ =
        LzmaPool::create([] { return std::make_unique<LzmaContext>(); }, default_pool_size());
  }

  std::string_view id() const noexcept override { return "lzma"; }

  nlohmann::json config() const override {
    nlohmann::json config = {{"id", "lzma"},
                             {"format", options_.format},
                             {"check", options_.check},
                             {"preset", nullptr},
                             {"filters", nullptr}};
    if (options_.preset) config["preset"] = *options_.preset;
    return config;
  }

  std::size_t max_encoded_size(std::size_t input_size) const override {
    const std::size_t bound = lzma_stream_buffer_bound(input_size);
    if (bound == 0) {
      throw_invalid("lzma", "input of " + std::to_string(input_size) + " bytes is too large");
    }
    return bound;
  }

 protected:
  std::size_t do_encode(ByteSpan input, MutableByteSpan output,
                        const EncodeHints& /*hints*/) const override {
    auto lease = LzmaPool::acquire(encoders_);
    lzma_stream& s = lease->stream;
    const lzma_check check = options_.check == kDefaultCheck
                                 ? LZMA_CHECK_CRC64
                                 : static_cast<lzma_check>(options_.check);
    lzma_ret code = lzma_easy_encoder(&s, options_.preset.value_or(LZMA_PRESET_DEFAULT), check);
    if (code == LZMA_MEM_ERROR) throw std::bad_alloc();
    if (code != LZMA_OK) throw_invalid("lzma", "lzma_easy_encoder: " + lzma_message(code));
    s.next_in = reinterpret_cast<const std::uint8_t*>(input.data());
    s.avail_in = input.size();
    s.next_out = reinterpret_cast<std::uint8_t*>(output.data());
    s.avail_out = output.size();
    // As Python's LZMACompressor: LZMA_RUN over the input, then LZMA_FINISH.
    lzma_action action = LZMA_RUN;
    while (true) {
      if (action == LZMA_RUN && s.avail_in == 0) action = LZMA_FINISH;
      code = lzma_code(&s, action);
      if (code == LZMA_STREAM_END) break;
      if (code != LZMA_OK) {
        lease.discard();
        throw_invalid("lzma", "compression failed: " + lzma_message(code));
      }
      if (s.avail_out == 0) {
        lease.discard();
        throw_invalid("lzma", "output buffer too small");
      }
    }
    return output.size() - s.avail_out;
  }

  std::unique_ptr<DecodeEngine> make_engine() const override {
    return std::make_unique<LzmaEngine>(LzmaPool::acquire(decoders_));
  }

 private:
  LzmaOptions options_;
  std::shared_ptr<LzmaPool> encoders_;
  std::shared_ptr<LzmaPool> decoders_;
};

}  // namespace

std::shared_ptr<const Codec> lzma_from_config(const nlohmann::json& config) {
  ConfigReader reader(config, "lzma");
  LzmaOptions options;
  options.format = static_cast<int>(reader.integer("format", options.format, 0, 3));
  options.check = static_cast<int>(reader.integer("check", options.check, -1, LZMA_CHECK_ID_MAX));
  if (auto preset = reader.optional_integer("preset", 0, 0xFFFFFFFFll)) {
    options.preset = static_cast<std::uint32_t>(*preset);
  }
  reader.require_null("filters", "custom filter chains are not implemented; use a preset");
  reader.reject_unknown_keys();
  return make_lzma_codec(options);
}

}  // namespace codec_detail

std::shared_ptr<const Codec> make_lzma_codec(const LzmaOptions& options) {
  return std::make_shared<codec_detail::LzmaCodec>(options);
}

}  // namespace ndbucket
