// numcodecs "bz2": a bzip2 stream, as Python's bz2.compress(data, level) writes it.
#include <bzlib.h>

#include <algorithm>
#include <new>
#include <string>

#include <nlohmann/json.hpp>

#include "config_reader.hpp"
#include "factories.hpp"
#include "stream_codec.hpp"

namespace ndbucket {
namespace codec_detail {
namespace {

// bzlib's counters are 32-bit unsigned.
constexpr std::size_t kMaxBz2Step = 0xFFFFFFFFu;

char* in_ptr(ByteSpan span) {
  // bzlib is not const-correct; it never writes through next_in.
  return reinterpret_cast<char*>(const_cast<std::byte*>(span.data()));
}

std::string bz2_code_name(int code) {
  switch (code) {
    case BZ_DATA_ERROR:
      return "corrupt bzip2 stream (BZ_DATA_ERROR)";
    case BZ_DATA_ERROR_MAGIC:
      return "not a bzip2 stream (bad magic)";
    case BZ_PARAM_ERROR:
      return "BZ_PARAM_ERROR";
    default:
      return "bzip2 error " + std::to_string(code);
  }
}

class Bz2Engine final : public DecodeEngine {
 public:
  explicit Bz2Engine(std::size_t max_step) : max_step_(max_step) { init(); }
  ~Bz2Engine() override { BZ2_bzDecompressEnd(&stream_); }
  Bz2Engine(const Bz2Engine&) = delete;
  Bz2Engine& operator=(const Bz2Engine&) = delete;

  StepResult step(ByteSpan input, MutableByteSpan output) override {
    const auto in_size = static_cast<unsigned>(std::min(input.size(), max_step_));
    const auto out_size = static_cast<unsigned>(std::min(output.size(), max_step_));
    stream_.next_in = in_ptr(input);
    stream_.avail_in = in_size;
    stream_.next_out = reinterpret_cast<char*>(output.data());
    stream_.avail_out = out_size;
    const int code = BZ2_bzDecompress(&stream_);
    StepResult result{in_size - stream_.avail_in, out_size - stream_.avail_out,
                      code == BZ_STREAM_END};
    if (code == BZ_OK || code == BZ_STREAM_END) return result;
    if (code == BZ_MEM_ERROR) throw std::bad_alloc();
    throw_corrupt(name(), bz2_code_name(code));
  }

  bool restart() override {
    // Python's bz2.decompress reads concatenated streams (as pbzip2 writes them) as one.
    BZ2_bzDecompressEnd(&stream_);
    init();
    return true;
  }

  std::string_view name() const noexcept override { return "bz2"; }

 private:
  void init() {
    stream_ = bz_stream{};
    const int code = BZ2_bzDecompressInit(&stream_, 0, 0);
    if (code == BZ_MEM_ERROR) throw std::bad_alloc();
    if (code != BZ_OK) throw_invalid("bz2", "BZ2_bzDecompressInit failed: " + bz2_code_name(code));
  }

  bz_stream stream_{};
  std::size_t max_step_;
};

class Bz2Codec final : public StreamCodec {
 public:
  Bz2Codec(const Bz2Options& options, std::size_t max_step)
      : level_(options.level), max_step_(std::clamp<std::size_t>(max_step, 1, kMaxBz2Step)) {
    if (level_ < 1 || level_ > 9) {
      throw_invalid("bz2", "level must be 1..9, got " + std::to_string(level_));
    }
  }

  std::string_view id() const noexcept override { return "bz2"; }
  nlohmann::json config() const override { return {{"id", "bz2"}, {"level", level_}}; }

  std::size_t max_encoded_size(std::size_t input_size) const override {
    // bzlib's manual: 1% larger than the input plus 600 bytes always suffices.
    return input_size + input_size / 100 + 600;
  }

 protected:
  std::size_t do_encode(ByteSpan input, MutableByteSpan output,
                        const EncodeHints& /*hints*/) const override {
    // bzlib has no reset: a stream per call. Its state is ~level x 800 kB and cheap to set up.
    bz_stream stream{};
    int code = BZ2_bzCompressInit(&stream, level_, 0, 0);
    if (code == BZ_MEM_ERROR) throw std::bad_alloc();
    if (code != BZ_OK) throw_invalid("bz2", "BZ2_bzCompressInit failed: " + bz2_code_name(code));
    struct End {
      bz_stream* s;
      ~End() { BZ2_bzCompressEnd(s); }
    } end{&stream};

    ByteSpan in = input;
    MutableByteSpan out = output;
    // As Python's BZ2Compressor: BZ_RUN over all input, then BZ_FINISH until the stream ends.
    int action = BZ_RUN;
    while (true) {
      if (action == BZ_RUN && in.empty()) action = BZ_FINISH;
      const std::size_t in_step = std::min(in.size(), max_step_);
      const std::size_t out_step = std::min(out.size(), max_step_);
      stream.next_in = in_ptr(in);
      stream.avail_in = static_cast<unsigned>(in_step);
      stream.next_out = reinterpret_cast<char*>(out.data());
      stream.avail_out = static_cast<unsigned>(out_step);
      code = BZ2_bzCompress(&stream, action);
      in = in.subspan(in_step - stream.avail_in);
      out = out.subspan(out_step - stream.avail_out);
      if (code == BZ_STREAM_END) break;
      if (code != BZ_RUN_OK && code != BZ_FINISH_OK) {
        throw_invalid("bz2", "BZ2_bzCompress failed: " + bz2_code_name(code));
      }
      if (out.empty()) throw_invalid("bz2", "output buffer too small");
    }
    return output.size() - out.size();
  }

  std::unique_ptr<DecodeEngine> make_engine() const override {
    return std::make_unique<Bz2Engine>(max_step_);
  }

 private:
  int level_;
  std::size_t max_step_;
};

}  // namespace

std::shared_ptr<const Codec> make_bz2_codec_with_step(const Bz2Options& options,
                                                      std::size_t max_step) {
  return std::make_shared<Bz2Codec>(options, max_step);
}

std::shared_ptr<const Codec> bz2_from_config(const nlohmann::json& config) {
  ConfigReader reader(config, "bz2");
  Bz2Options options;
  options.level = static_cast<int>(reader.integer("level", options.level, 1, 9));
  reader.reject_unknown_keys();
  return make_bz2_codec(options);
}

}  // namespace codec_detail

std::shared_ptr<const Codec> make_bz2_codec(const Bz2Options& options) {
  return codec_detail::make_bz2_codec_with_step(options, codec_detail::kMaxBz2Step);
}

}  // namespace ndbucket
