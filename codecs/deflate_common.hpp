// What the zlib and gzip codecs share (internal): pooled deflate/inflate streams and the loops
// that feed zlib's 32-bit avail_in/avail_out counters with inputs of any size.
#pragma once

#include <cstddef>
#include <memory>

#include "context_pool.hpp"
#include "stream_codec.hpp"

namespace ndbucket::codec_detail {

struct DeflateContext;
struct InflateContext;

// zlib's counters are 32-bit; every call hands it at most this much.
inline constexpr std::size_t kMax32BitStep = 0xFFFFFFFFu;

class DeflateCodecBase : public StreamCodec {
 public:
  enum class Wrapper { kZlib, kGzip };

  // `max_step` caps each library call's input and output (kMax32BitStep, or less in tests).
  DeflateCodecBase(Wrapper wrapper, int level, std::size_t max_step);
  ~DeflateCodecBase() override;

  std::string_view id() const noexcept override;
  std::size_t max_encoded_size(std::size_t input_size) const override;

 protected:
  std::size_t do_encode(ByteSpan input, MutableByteSpan output,
                        const EncodeHints& hints) const override;
  std::unique_ptr<DecodeEngine> make_engine() const override;

  int level() const noexcept { return level_; }

 private:
  Wrapper wrapper_;
  int level_;
  std::size_t max_step_;
  std::shared_ptr<ContextPool<DeflateContext>> deflaters_;
  std::shared_ptr<ContextPool<InflateContext>> inflaters_;
};

}  // namespace ndbucket::codec_detail
