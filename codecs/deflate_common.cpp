#include "deflate_common.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <string>

namespace ndbucket::codec_detail {

// Python's GzipFile and zlib.compress use these; the same parameters give the same bytes.
constexpr int kWindowBits = 15;
constexpr int kMemLevel = 8;
constexpr std::size_t kGzipHeaderSize = 10;
constexpr std::size_t kGzipTrailerSize = 8;

struct DeflateContext {
  z_stream stream{};
  ~DeflateContext() { deflateEnd(&stream); }
};

struct InflateContext {
  z_stream stream{};
  ~InflateContext() { inflateEnd(&stream); }
};

namespace {

std::string zlib_message(const z_stream& stream, int code) {
  if (stream.msg != nullptr) return stream.msg;
  return "zlib error " + std::to_string(code);
}

Bytef* in_ptr(ByteSpan span) {
  // zlib's API is not const-correct; it never writes through next_in.
  return reinterpret_cast<Bytef*>(const_cast<std::byte*>(span.data()));
}

void store_le32(std::byte* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::byte>(value >> (8 * i));
}

std::uint32_t crc32_all(ByteSpan input, std::size_t max_step) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!input.empty()) {
    std::size_t n = std::min(input.size(), max_step);
    crc = crc32(crc, in_ptr(input), static_cast<uInt>(n));
    input = input.subspan(n);
  }
  return static_cast<std::uint32_t>(crc);
}

class InflateEngine final : public DecodeEngine {
 public:
  InflateEngine(ContextPool<InflateContext>::Lease lease, bool gzip, std::size_t max_step)
      : lease_(std::move(lease)), gzip_(gzip), max_step_(max_step) {
    if (inflateReset(&lease_->stream) != Z_OK) throw std::bad_alloc();
  }

  StepResult step(ByteSpan input, MutableByteSpan output) override {
    z_stream& s = lease_->stream;
    const auto in_size = static_cast<uInt>(std::min(input.size(), max_step_));
    const auto out_size = static_cast<uInt>(std::min(output.size(), max_step_));
    s.next_in = in_ptr(input);
    s.avail_in = in_size;
    s.next_out = reinterpret_cast<Bytef*>(output.data());
    s.avail_out = out_size;
    const int code = inflate(&s, Z_NO_FLUSH);
    StepResult result{in_size - s.avail_in, out_size - s.avail_out, code == Z_STREAM_END};
    switch (code) {
      case Z_OK:
      case Z_STREAM_END:
      case Z_BUF_ERROR:  // no progress possible with what it was given; the driver decides
        return result;
      case Z_NEED_DICT:
        lease_.discard();
        throw_corrupt(name(), "the stream needs a preset dictionary");
      case Z_MEM_ERROR:
        lease_.discard();
        throw std::bad_alloc();
      default:
        std::string message = zlib_message(s, code);
        lease_.discard();
        throw_corrupt(name(), message);
    }
  }

  bool restart() override {
    // Python's gzip reads concatenated members as one stream; zlib.decompress takes exactly one.
    if (!gzip_) return false;
    if (inflateReset(&lease_->stream) != Z_OK) throw std::bad_alloc();
    return true;
  }

  std::string_view name() const noexcept override { return gzip_ ? "gzip" : "zlib"; }

 private:
  ContextPool<InflateContext>::Lease lease_;
  bool gzip_;
  std::size_t max_step_;
};

}  // namespace

DeflateCodecBase::DeflateCodecBase(Wrapper wrapper, int level, std::size_t max_step)
    : wrapper_(wrapper),
      level_(level),
      max_step_(std::clamp<std::size_t>(max_step, 1, kMax32BitStep)) {
  if (level < -1 || level > 9) {
    throw_invalid(id(), "level must be -1 or 0..9, got " + std::to_string(level));
  }
  // gzip is written as raw deflate between our own header and trailer, exactly as GzipFile
  // frames it (zlib's built-in gzip wrapper would write a different extra-flags byte at level 0).
  const int window_bits = wrapper == Wrapper::kGzip ? -kWindowBits : kWindowBits;
  deflaters_ = ContextPool<DeflateContext>::create(
      [level, window_bits] {
        auto context = std::make_unique<DeflateContext>();
        const int code = deflateInit2(&context->stream, level, Z_DEFLATED, window_bits, kMemLevel,
                                      Z_DEFAULT_STRATEGY);
        if (code == Z_MEM_ERROR) throw std::bad_alloc();
        if (code != Z_OK) throw Error(ErrorCode::InvalidArgument, "deflateInit2 failed");
        return context;
      },
      default_pool_size());
  const int inflate_bits = wrapper == Wrapper::kGzip ? 16 + kWindowBits : kWindowBits;
  inflaters_ = ContextPool<InflateContext>::create(
      [inflate_bits] {
        auto context = std::make_unique<InflateContext>();
        if (inflateInit2(&context->stream, inflate_bits) != Z_OK) throw std::bad_alloc();
        return context;
      },
      default_pool_size());
}

DeflateCodecBase::~DeflateCodecBase() = default;

std::string_view DeflateCodecBase::id() const noexcept {
  return wrapper_ == Wrapper::kGzip ? "gzip" : "zlib";
}

std::size_t DeflateCodecBase::max_encoded_size(std::size_t input_size) const {
  // compressBound() is deflateBound() for windowBits 15 / memLevel 8 with the 6-byte zlib
  // wrapper; the gzip framing adds 12 more. The slack covers the stored-block overhead that
  // step-limited (test) runs add at every chunk boundary.
  const std::size_t steps = input_size / max_step_ + 1;
  return compressBound(input_size) + kGzipHeaderSize + kGzipTrailerSize + 5 * steps + 16;
}

std::size_t DeflateCodecBase::do_encode(ByteSpan input, MutableByteSpan output,
                                        const EncodeHints& /*hints*/) const {
  auto lease = ContextPool<DeflateContext>::acquire(deflaters_);
  z_stream& s = lease->stream;
  if (deflateReset(&s) != Z_OK) throw_invalid(id(), "deflateReset failed");

  MutableByteSpan out = output;
  const bool gzip = wrapper_ == Wrapper::kGzip;
  if (gzip) {
    // magic, CM=deflate, FLG=0, MTIME=0 (reproducible; numcodecs writes the clock), XFL, OS=255.
    const std::byte xfl = level_ == 9 ? std::byte{2} : level_ == 1 ? std::byte{4} : std::byte{0};
    const std::array<std::byte, kGzipHeaderSize> header = {
        std::byte{0x1f}, std::byte{0x8b}, std::byte{8}, std::byte{0}, std::byte{0},
        std::byte{0},    std::byte{0},    std::byte{0}, xfl,          std::byte{0xff}};
    std::memcpy(out.data(), header.data(), header.size());
    out = out.subspan(header.size());
  }

  ByteSpan in = input;
  while (true) {
    const std::size_t in_step = std::min(in.size(), max_step_);
    const std::size_t out_step = std::min(out.size(), max_step_);
    s.next_in = in_ptr(in);
    s.avail_in = static_cast<uInt>(in_step);
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out_step);
    const int flush = in.size() == in_step ? Z_FINISH : Z_NO_FLUSH;
    const int code = deflate(&s, flush);
    in = in.subspan(in_step - s.avail_in);
    out = out.subspan(out_step - s.avail_out);
    if (code == Z_STREAM_END) break;
    if (code != Z_OK && code != Z_BUF_ERROR) {
      lease.discard();
      throw_invalid(id(), "deflate failed: " + zlib_message(s, code));
    }
    if (out.empty()) throw_invalid(id(), "output buffer too small");
  }

  if (gzip) {
    if (out.size() < kGzipTrailerSize) throw_invalid(id(), "output buffer too small");
    store_le32(out.data(), crc32_all(input, max_step_));
    store_le32(out.data() + 4, static_cast<std::uint32_t>(input.size()));  // ISIZE is mod 2^32
    out = out.subspan(kGzipTrailerSize);
  }
  return output.size() - out.size();
}

std::unique_ptr<DecodeEngine> DeflateCodecBase::make_engine() const {
  return std::make_unique<InflateEngine>(ContextPool<InflateContext>::acquire(inflaters_),
                                         wrapper_ == Wrapper::kGzip, max_step_);
}

}  // namespace ndbucket::codec_detail
