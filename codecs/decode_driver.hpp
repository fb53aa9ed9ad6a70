// The shared machinery behind every streaming decoder (internal).
//
// A DecodeEngine wraps one library's streaming decompressor (inflate, ZSTD_decompressStream,
// BZ2_bzDecompress, lzma_code) behind a single step() call. The DecodeDriver feeds it, decides
// where each step's output goes (a caller's buffer, a growing Bytes, a sink) and enforces the
// rules every codec shares: exact output size, decompression-bomb limits, no trailing garbage,
// no truncated streams, no endless loops on input that makes no progress.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ndbucket/codecs/codec.hpp"
#include "ndbucket/codecs/streaming.hpp"
#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket::codec_detail {

// Throws Error(Corrupt, "<codec> data: <what>").
[[noreturn]] void throw_corrupt(std::string_view codec, std::string_view what);
// Throws Error(InvalidArgument, "<codec>: <what>").
[[noreturn]] void throw_invalid(std::string_view codec, std::string_view what);

struct StepResult {
  std::size_t consumed = 0;
  std::size_t produced = 0;
  bool stream_end = false;  // one complete stream (member, frame) was decoded and flushed
};

class DecodeEngine {
 public:
  virtual ~DecodeEngine() = default;
  // Decodes from `input` into `output` (either may be empty). Throws Corrupt on bad data.
  virtual StepResult step(ByteSpan input, MutableByteSpan output) = 0;
  // Called after stream_end when more input follows. Returns false when the format allows only
  // one stream; otherwise prepares for the next concatenated stream.
  virtual bool restart() = 0;
  // The codec id for messages.
  virtual std::string_view name() const noexcept = 0;
};

class DecodeDriver final : public StreamingDecoder {
 public:
  // Writes exactly output.size() bytes into `output`.
  static std::unique_ptr<DecodeDriver> into_buffer(std::unique_ptr<DecodeEngine> engine,
                                                   MutableByteSpan output);
  // Appends to `output` (which must start empty), growing it up to `limits`. `size_hint` is the
  // first allocation, 0 for a guess from the input size.
  static std::unique_ptr<DecodeDriver> into_bytes(std::unique_ptr<DecodeEngine> engine,
                                                  Bytes& output, const DecodeLimits& limits,
                                                  std::size_t size_hint);
  // Hands decoded pieces to `sink`.
  static std::unique_ptr<DecodeDriver> into_sink(std::unique_ptr<DecodeEngine> engine,
                                                 DecodeSink sink, const DecodeLimits& limits);

  void feed(ByteSpan chunk) override;
  void finish() override;
  std::uint64_t decoded_size() const noexcept override { return decoded_; }
  std::uint64_t consumed_size() const noexcept override { return consumed_; }

  enum class Mode { kBuffer, kBytes, kSink };
  DecodeDriver(std::unique_ptr<DecodeEngine> engine, Mode mode);

 private:
  void run(ByteSpan chunk);
  MutableByteSpan window();
  void commit(MutableByteSpan window, std::size_t produced);
  [[noreturn]] void fail(std::string_view what);

  std::unique_ptr<DecodeEngine> engine_;
  Mode mode_;
  MutableByteSpan buffer_;     // kBuffer: the caller's buffer
  Bytes* bytes_ = nullptr;     // kBytes: the growing output; bytes_->size() is its capacity
  std::size_t size_hint_ = 0;  // kBytes
  DecodeSink sink_;            // kSink
  Bytes scratch_;              // kSink: where the engine writes before the sink sees it
  std::uint64_t limit_ = DecodeLimits::kUnlimited;
  std::array<std::byte, 1> probe_{};  // receives output beyond a full buffer, to detect excess
  std::uint64_t decoded_ = 0;
  std::uint64_t consumed_ = 0;
  bool stream_ended_ = false;    // the engine sits at a stream boundary
  bool output_pending_ = false;  // the last step filled its window: more output may be waiting
  bool finished_ = false;
  bool failed_ = false;
};

}  // namespace ndbucket::codec_detail
