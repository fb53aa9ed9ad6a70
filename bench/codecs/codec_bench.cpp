// Encode/decode throughput of every built-in codec, next to the same library called directly.
//
// Both sides compress into and decompress from preallocated buffers, so the difference is what
// the codecs layer adds (option handling, context pools, framing, size checks). Extra columns show
// the allocating calls encode()/decode(), which also pay for a fresh output buffer.
//
// usage: codec_bench [--size-mib N] [--min-seconds S] [--codecs zlib,gzip,...]
#include <blosc.h>
#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ndbucket/codecs/builtin.hpp"

namespace {

using ndbucket::Bytes;
using ndbucket::ByteSpan;
using ndbucket::MutableByteSpan;
using Clock = std::chrono::steady_clock;

// Raw library calls. Each takes the whole input and a large enough output buffer.
using EncodeFn = std::function<std::size_t(ByteSpan, MutableByteSpan)>;
using DecodeFn = std::function<void(ByteSpan, MutableByteSpan)>;

struct Contender {
  std::string name;
  std::shared_ptr<const ndbucket::Codec> codec;
  ndbucket::EncodeHints hints;
  EncodeFn raw_encode;
  DecodeFn raw_decode;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "codec_bench: %s\n", what.c_str());
  std::exit(1);
}

Bytef* zin(ByteSpan in) { return reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data())); }
Bytef* zout(MutableByteSpan out) { return reinterpret_cast<Bytef*>(out.data()); }

std::size_t raw_deflate(ByteSpan in, MutableByteSpan out, int level, int window_bits) {
  z_stream s{};
  if (deflateInit2(&s, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    die("deflateInit2");
  }
  s.next_in = zin(in);
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = zout(out);
  s.avail_out = static_cast<uInt>(out.size());
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) die("deflate");
  const std::size_t n = s.total_out;
  deflateEnd(&s);
  return n;
}

void raw_inflate(ByteSpan in, MutableByteSpan out, int window_bits) {
  z_stream s{};
  if (inflateInit2(&s, window_bits) != Z_OK) die("inflateInit2");
  s.next_in = zin(in);
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = zout(out);
  s.avail_out = static_cast<uInt>(out.size());
  if (inflate(&s, Z_FINISH) != Z_STREAM_END || s.total_out != out.size()) die("inflate");
  inflateEnd(&s);
}

std::vector<Contender> contenders() {
  std::vector<Contender> list;
  list.push_back({"zlib/1",
                  ndbucket::make_zlib_codec(),
                  {},
                  [](ByteSpan in, MutableByteSpan out) {
                    uLongf n = out.size();
                    if (compress2(zout(out), &n, zin(in), in.size(), 1) != Z_OK) die("compress2");
                    return static_cast<std::size_t>(n);
                  },
                  [](ByteSpan in, MutableByteSpan out) { raw_inflate(in, out, 15); }});
  list.push_back({"gzip/1",
                  ndbucket::make_gzip_codec(),
                  {},
                  [](ByteSpan in, MutableByteSpan out) { return raw_deflate(in, out, 1, 31); },
                  [](ByteSpan in, MutableByteSpan out) { raw_inflate(in, out, 31); }});
  list.push_back(
      {"bz2/1",
       ndbucket::make_bz2_codec(),
       {},
       [](ByteSpan in, MutableByteSpan out) {
         auto n = static_cast<unsigned>(out.size());
         if (BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &n,
                                      const_cast<char*>(reinterpret_cast<const char*>(in.data())),
                                      static_cast<unsigned>(in.size()), 1, 0, 0) != BZ_OK) {
           die("BZ2_bzBuffToBuffCompress");
         }
         return static_cast<std::size_t>(n);
       },
       [](ByteSpan in, MutableByteSpan out) {
         auto n = static_cast<unsigned>(out.size());
         if (BZ2_bzBuffToBuffDecompress(reinterpret_cast<char*>(out.data()), &n,
                                        const_cast<char*>(reinterpret_cast<const char*>(in.data())),
                                        static_cast<unsigned>(in.size()), 0, 0) != BZ_OK ||
             n != out.size()) {
           die("BZ2_bzBuffToBuffDecompress");
         }
       }});
  // One context each, reused, as a careful direct user of libzstd would do.
  static ZSTD_CCtx* cctx = ZSTD_createCCtx();
  static ZSTD_DCtx* dctx = ZSTD_createDCtx();
  list.push_back({"zstd/1",
                  ndbucket::make_zstd_codec(),
                  {},
                  [](ByteSpan in, MutableByteSpan out) {
                    std::size_t n =
                        ZSTD_compressCCtx(cctx, out.data(), out.size(), in.data(), in.size(), 1);
                    if (ZSTD_isError(n)) die("ZSTD_compressCCtx");
                    return n;
                  },
                  [](ByteSpan in, MutableByteSpan out) {
                    std::size_t n =
                        ZSTD_decompressDCtx(dctx, out.data(), out.size(), in.data(), in.size());
                    if (ZSTD_isError(n) || n != out.size()) die("ZSTD_decompressDCtx");
                  }});
  static ZSTD_CCtx* mt_cctx = ZSTD_createCCtx();
  list.push_back({"zstd/1 2thr",
                  ndbucket::make_zstd_codec({.workers = 2, .parallel_threshold = 1 << 20}),
                  {},
                  [](ByteSpan in, MutableByteSpan out) {
                    ZSTD_CCtx_setParameter(mt_cctx, ZSTD_c_compressionLevel, 1);
                    ZSTD_CCtx_setParameter(mt_cctx, ZSTD_c_nbWorkers, 2);
                    std::size_t n =
                        ZSTD_compress2(mt_cctx, out.data(), out.size(), in.data(), in.size());
                    if (ZSTD_isError(n)) die("ZSTD_compress2");
                    return n;
                  },
                  [](ByteSpan in, MutableByteSpan out) {
                    std::size_t n =
                        ZSTD_decompressDCtx(dctx, out.data(), out.size(), in.data(), in.size());
                    if (ZSTD_isError(n) || n != out.size()) die("ZSTD_decompressDCtx");
                  }});
  list.push_back({"lz4/1",
                  ndbucket::make_lz4_codec(),
                  {},
                  [](ByteSpan in, MutableByteSpan out) {
                    const auto size = static_cast<std::uint32_t>(in.size());
                    std::memcpy(out.data(), &size, 4);  // little-endian host
                    int n = LZ4_compress_fast(reinterpret_cast<const char*>(in.data()),
                                              reinterpret_cast<char*>(out.data() + 4),
                                              static_cast<int>(in.size()),
                                              static_cast<int>(out.size() - 4), 1);
                    if (n <= 0) die("LZ4_compress_fast");
                    return static_cast<std::size_t>(n) + 4;
                  },
                  [](ByteSpan in, MutableByteSpan out) {
                    int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + 4),
                                                reinterpret_cast<char*>(out.data()),
                                                static_cast<int>(in.size() - 4),
                                                static_cast<int>(out.size()));
                    if (n < 0 || static_cast<std::size_t>(n) != out.size()) die("LZ4_decompress");
                  }});
  list.push_back(
      {"lzma/6",
       ndbucket::make_lzma_codec(),
       {},
       [](ByteSpan in, MutableByteSpan out) {
         std::size_t pos = 0;
         if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr,
                                     reinterpret_cast<const std::uint8_t*>(in.data()), in.size(),
                                     reinterpret_cast<std::uint8_t*>(out.data()), &pos,
                                     out.size()) != LZMA_OK) {
           die("lzma_easy_buffer_encode");
         }
         return pos;
       },
       [](ByteSpan in, MutableByteSpan out) {
         std::uint64_t memlimit = UINT64_MAX;
         std::size_t in_pos = 0;
         std::size_t out_pos = 0;
         if (lzma_stream_buffer_decode(&memlimit, 0, nullptr,
                                       reinterpret_cast<const std::uint8_t*>(in.data()), &in_pos,
                                       in.size(), reinterpret_cast<std::uint8_t*>(out.data()),
                                       &out_pos, out.size()) != LZMA_OK ||
             out_pos != out.size()) {
           die("lzma_stream_buffer_decode");
         }
       }});
  for (int threads : {1, 2}) {
    list.push_back({threads == 1 ? "blosc lz4/5" : "blosc lz4/5 2thr",
                    ndbucket::make_blosc_codec({.threads = threads}),
                    {8},
                    [threads](ByteSpan in, MutableByteSpan out) {
                      int n = blosc_compress_ctx(5, BLOSC_SHUFFLE, 8, in.size(), in.data(),
                                                 out.data(), out.size(), "lz4", 0, threads);
                      if (n <= 0) die("blosc_compress_ctx");
                      return static_cast<std::size_t>(n);
                    },
                    [threads](ByteSpan in, MutableByteSpan out) {
                      int n = blosc_decompress_ctx(in.data(), out.data(), out.size(), threads);
                      if (n < 0 || static_cast<std::size_t>(n) != out.size())
                        die("blosc_decompress_ctx");
                    }});
  }
  return list;
}

// 64 MiB of doubles: a slow sine (what sensors and simulations produce) plus Gaussian noise.
Bytes make_float64(std::size_t bytes) {
  Bytes data(bytes / 8 * 8);
  std::mt19937_64 rng(1234);
  std::normal_distribution<double> noise(0.0, 0.05);
  for (std::size_t i = 0; i < data.size() / 8; ++i) {
    const double value = 100.0 * std::sin(static_cast<double>(i) * 1e-4) + noise(rng);
    std::memcpy(data.data() + 8 * i, &value, 8);
  }
  return data;
}

double seconds(const std::function<void()>& body) {
  const auto start = Clock::now();
  body();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs the alternatives in turns, alternating which goes first, and returns each one's best time.
// It stops after `min_turns` once every alternative has run for `min_seconds` in total, or after
// two turns when one run alone takes longer than that (lzma, bz2), or after 60 turns. Taking the
// best of alternating runs keeps a noisy neighbour on a shared machine from favouring one side.
std::vector<double> best_times(const std::vector<std::function<void()>>& bodies, double min_seconds,
                               int min_turns) {
  std::vector<double> best(bodies.size(), 1e300);
  std::vector<double> total(bodies.size(), 0.0);
  for (int turn = 0; turn < 60; ++turn) {
    for (std::size_t k = 0; k < bodies.size(); ++k) {
      const std::size_t i = turn % 2 == 0 ? k : bodies.size() - 1 - k;
      const double t = seconds(bodies[i]);
      best[i] = std::min(best[i], t);
      total[i] += t;
    }
    const double least = *std::min_element(total.begin(), total.end());
    const bool slow = best[0] > min_seconds;
    if (turn + 1 >= (slow ? std::min(min_turns, 2) : min_turns) && least >= min_seconds) break;
  }
  return best;
}

bool selected(const std::string& name, const std::string& filter) {
  if (filter.empty()) return true;
  std::stringstream list(filter);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (name.rfind(item, 0) == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t size_mib = 64;
  double min_seconds = 2.0;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--size-mib" && i + 1 < argc) {
      size_mib = std::stoul(argv[++i]);
    } else if (arg == "--min-seconds" && i + 1 < argc) {
      min_seconds = std::stod(argv[++i]);
    } else if (arg == "--codecs" && i + 1 < argc) {
      filter = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--size-mib N] [--min-seconds S] [--codecs a,b]\n", argv[0]);
      return 2;
    }
  }

  const Bytes data = make_float64(size_mib << 20);
  const double mb = static_cast<double>(data.size()) / 1e6;
  std::printf(
      "%zu MiB of float64 (sine + noise); MB/s = 10^6 uncompressed bytes per second, best "
      "of several alternating runs; overhead = ndbucket time / raw time - 1\n\n",
      size_mib);
  std::printf("%-17s %6s | %9s %9s %8s | %9s %9s %8s | %9s %9s\n", "codec", "ratio", "enc raw",
              "enc ndb", "overhead", "dec raw", "dec ndb", "overhead", "encode()", "decode()");

  for (const Contender& c : contenders()) {
    if (!selected(c.name, filter)) continue;
    const std::size_t bound = c.codec->max_encoded_size(data.size());
    Bytes raw_out(bound);
    Bytes ndb_out(bound);
    std::size_t raw_size = 0;
    std::size_t ndb_size = 0;
    const auto enc = best_times({[&] { raw_size = c.raw_encode(data, raw_out); },
                                 [&] { ndb_size = c.codec->encode_into(data, ndb_out, c.hints); }},
                                min_seconds, 5);
    const auto enc_alloc =
        best_times({[&] { (void)c.codec->encode(data, c.hints); }}, min_seconds / 2, 2);
    const ByteSpan encoded(ndb_out.data(), ndb_size);

    // Both decoders read ndbucket's encoding; both must reproduce the data.
    Bytes raw_back(data.size());
    Bytes ndb_back(data.size());
    const auto dec = best_times({[&] { c.raw_decode(encoded, raw_back); },
                                 [&] { c.codec->decode_into(encoded, ndb_back); }},
                                min_seconds, 5);
    const auto dec_alloc =
        best_times({[&] { (void)c.codec->decode(encoded); }}, min_seconds / 2, 2);
    if (raw_back != data || ndb_back != data) die(c.name + ": round trip mismatch");
    Bytes check(data.size());
    c.raw_decode(ByteSpan(raw_out.data(), raw_size), check);
    if (check != data) die(c.name + ": raw round trip mismatch");

    std::printf("%-17s %6.2f | %9.1f %9.1f %+7.1f%% | %9.1f %9.1f %+7.1f%% | %9.1f %9.1f\n",
                c.name.c_str(), static_cast<double>(data.size()) / static_cast<double>(ndb_size),
                mb / enc[0], mb / enc[1], 100.0 * (enc[1] / enc[0] - 1.0), mb / dec[0], mb / dec[1],
                100.0 * (dec[1] / dec[0] - 1.0), mb / enc_alloc[0], mb / dec_alloc[0]);
    std::fflush(stdout);
  }
  return 0;
}
