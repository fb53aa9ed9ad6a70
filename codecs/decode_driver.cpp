#include "decode_driver.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace ndbucket::codec_detail {

namespace {

// Large enough that sinks see few calls, small enough to stay in L2 while the sink copies it.
constexpr std::size_t kSinkPiece = std::size_t{256} << 10;
constexpr std::size_t kMinGrowth = std::size_t{64} << 10;

}  // namespace

void throw_corrupt(std::string_view codec, std::string_view what) {
  throw Error(ErrorCode::Corrupt, std::string(codec) + " data: " + std::string(what));
}

void throw_invalid(std::string_view codec, std::string_view what) {
  throw Error(ErrorCode::InvalidArgument, std::string(codec) + ": " + std::string(what));
}

DecodeDriver::DecodeDriver(std::unique_ptr<DecodeEngine> engine, Mode mode)
    : engine_(std::move(engine)), mode_(mode) {}

std::unique_ptr<DecodeDriver> DecodeDriver::into_buffer(std::unique_ptr<DecodeEngine> engine,
                                                        MutableByteSpan output) {
  auto driver = std::make_unique<DecodeDriver>(std::move(engine), Mode::kBuffer);
  driver->buffer_ = output;
  driver->limit_ = output.size();
  return driver;
}

std::unique_ptr<DecodeDriver> DecodeDriver::into_bytes(std::unique_ptr<DecodeEngine> engine,
                                                       Bytes& output, const DecodeLimits& limits,
                                                       std::size_t size_hint) {
  auto driver = std::make_unique<DecodeDriver>(std::move(engine), Mode::kBytes);
  output.clear();
  driver->bytes_ = &output;
  driver->limit_ = limits.max_decoded_size;
  driver->size_hint_ = size_hint;
  return driver;
}

std::unique_ptr<DecodeDriver> DecodeDriver::into_sink(std::unique_ptr<DecodeEngine> engine,
                                                      DecodeSink sink, const DecodeLimits& limits) {
  if (!sink) throw_invalid(engine->name(), "streaming decoder needs a sink");
  auto driver = std::make_unique<DecodeDriver>(std::move(engine), Mode::kSink);
  driver->sink_ = std::move(sink);
  driver->limit_ = limits.max_decoded_size;
  return driver;
}

void DecodeDriver::fail(std::string_view what) { throw_corrupt(engine_->name(), what); }

MutableByteSpan DecodeDriver::window() {
  switch (mode_) {
    case Mode::kBuffer:
      if (decoded_ < buffer_.size()) return buffer_.subspan(decoded_);
      return probe_;
    case Mode::kBytes: {
      Bytes& bytes = *bytes_;
      if (decoded_ < bytes.size()) return MutableByteSpan(bytes).subspan(decoded_);
      if (bytes.empty() && limit_ > 0) {
        std::uint64_t first = size_hint_ > 0 ? size_hint_ : kMinGrowth;
        bytes.resize(static_cast<std::size_t>(std::min<std::uint64_t>(first, limit_)));
        return bytes;
      }
      // Full: probe for one more byte before growing, so an exact size hint never doubles the
      // allocation just to learn that only the stream's trailer was left.
      return probe_;
    }
    case Mode::kSink:
      if (scratch_.empty()) scratch_.resize(kSinkPiece);
      return scratch_;
  }
  return probe_;
}

void DecodeDriver::commit(MutableByteSpan out, std::size_t produced) {
  if (produced == 0) return;
  const bool probed = out.data() == probe_.data();
  switch (mode_) {
    case Mode::kBuffer:
      if (probed) {
        fail("decodes to more than the expected " + std::to_string(buffer_.size()) + " bytes");
      }
      break;
    case Mode::kBytes:
      if (probed) {
        Bytes& bytes = *bytes_;
        if (bytes.size() >= limit_) {
          fail("decodes to more than the limit of " + std::to_string(limit_) + " bytes");
        }
        std::uint64_t grown = std::max<std::uint64_t>(std::uint64_t{bytes.size()} * 2,
                                                      std::uint64_t{bytes.size()} + kMinGrowth);
        bytes.resize(static_cast<std::size_t>(std::min(grown, limit_)));
        bytes[decoded_] = probe_[0];
      }
      break;
    case Mode::kSink:
      if (produced > limit_ - decoded_) {
        fail("decodes to more than the limit of " + std::to_string(limit_) + " bytes");
      }
      sink_(ByteSpan(out.data(), produced));
      break;
  }
  decoded_ += produced;
}

void DecodeDriver::run(ByteSpan chunk) {
  while (true) {
    if (stream_ended_) {
      if (chunk.empty()) return;
      if (!engine_->restart()) fail("trailing bytes after the end of the stream");
      stream_ended_ = false;
    }
    if (chunk.empty() && !output_pending_) return;
    MutableByteSpan out = window();
    StepResult step = engine_->step(chunk, out);
    if (step.consumed > chunk.size() || step.produced > out.size()) {
      fail("decoder reported impossible progress");  // a library bug; never trust it silently
    }
    chunk = chunk.subspan(step.consumed);
    consumed_ += step.consumed;
    commit(out, step.produced);
    output_pending_ = !step.stream_end && step.produced == out.size() && !out.empty();
    if (step.stream_end) {
      stream_ended_ = true;
      continue;
    }
    if (step.consumed == 0 && step.produced == 0) {
      if (chunk.empty()) return;  // waiting for more input
      // Input and room were both available and nothing happened: bail out instead of spinning.
      fail("decoder made no progress");
    }
  }
}

void DecodeDriver::feed(ByteSpan chunk) {
  if (failed_) fail("decoder already failed");
  if (finished_) {
    if (chunk.empty()) return;
    fail("input fed after finish()");
  }
  try {
    run(chunk);
  } catch (...) {
    failed_ = true;
    throw;
  }
}

void DecodeDriver::finish() {
  if (failed_) fail("decoder already failed");
  if (finished_) return;
  try {
    run({});
    if (!stream_ended_) fail(consumed_ == 0 ? "empty input" : "truncated stream");
    switch (mode_) {
      case Mode::kBuffer:
        if (decoded_ != buffer_.size()) {
          fail("decodes to " + std::to_string(decoded_) + " bytes, expected " +
               std::to_string(buffer_.size()));
        }
        break;
      case Mode::kBytes: {
        Bytes& bytes = *bytes_;
        bytes.resize(static_cast<std::size_t>(decoded_));
        // Give back a large over-allocation; a small one is not worth the copy.
        if (bytes.capacity() - bytes.size() > std::max<std::size_t>(bytes.size() / 4, 4096)) {
          bytes.shrink_to_fit();
        }
        break;
      }
      case Mode::kSink:
        break;
    }
    finished_ = true;
  } catch (...) {
    failed_ = true;
    throw;
  }
}

}  // namespace ndbucket::codec_detail
