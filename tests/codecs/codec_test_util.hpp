// Test data and codec lists shared by the codec tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ndbucket/codecs/builtin.hpp"
#include "ndbucket/codecs/registry.hpp"
#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/error.hpp"
#include "support/test_util.hpp"

namespace ndbucket::test {

enum class Pattern { kZeros, kRandom, kFloat64 };

inline const char* pattern_name(Pattern pattern) {
  switch (pattern) {
    case Pattern::kZeros:
      return "zeros";
    case Pattern::kRandom:
      return "random";
    case Pattern::kFloat64:
      return "float64";
  }
  return "?";
}

// `size` bytes of zeros, uniformly random bytes, or little-endian doubles of a smooth signal plus
// noise (size rounded down to whole doubles).
inline Bytes make_data(Pattern pattern, std::size_t size, std::uint32_t seed = 42) {
  Bytes data(size);
  std::mt19937_64 rng(seed);
  switch (pattern) {
    case Pattern::kZeros:
      break;
    case Pattern::kRandom:
      for (auto& b : data) b = static_cast<std::byte>(rng() & 0xff);
      break;
    case Pattern::kFloat64: {
      std::normal_distribution<double> noise(0.0, 0.01);
      data.resize(size / 8 * 8);
      for (std::size_t i = 0; i < data.size() / 8; ++i) {
        double value = std::sin(static_cast<double>(i) * 0.001) * 100.0 + noise(rng);
        std::memcpy(data.data() + i * 8, &value, 8);
      }
      break;
    }
  }
  return data;
}

// The default config of every built-in codec plus non-default ones that change the bytes.
inline std::vector<nlohmann::json> interesting_configs() {
  return {
      {{"id", "zlib"}, {"level", 1}},
      {{"id", "zlib"}, {"level", 9}},
      {{"id", "gzip"}, {"level", 1}},
      {{"id", "gzip"}, {"level", 9}},
      {{"id", "gzip"}, {"level", 0}},
      {{"id", "bz2"}, {"level", 1}},
      {{"id", "bz2"}, {"level", 9}},
      {{"id", "zstd"}, {"level", 1}},
      {{"id", "zstd"}, {"level", 7}},
      {{"id", "zstd"}, {"level", -5}},
      {{"id", "lz4"}, {"acceleration", 1}},
      {{"id", "lz4"}, {"acceleration", 20}},
      {{"id", "lzma"}, {"format", 1}, {"check", -1}, {"preset", nullptr}, {"filters", nullptr}},
      {{"id", "lzma"}, {"format", 1}, {"check", 1}, {"preset", 1}, {"filters", nullptr}},
      {{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}},
      {{"id", "blosc"}, {"cname", "zstd"}, {"clevel", 3}, {"shuffle", 2}, {"blocksize", 0}},
      {{"id", "blosc"}, {"cname", "blosclz"}, {"clevel", 9}, {"shuffle", 0}, {"blocksize", 4096}},
      {{"id", "blosc"}, {"cname", "zlib"}, {"clevel", 1}, {"shuffle", -1}, {"blocksize", 0}},
  };
}

inline const std::vector<std::string>& builtin_ids() {
  static const std::vector<std::string> ids = {"blosc", "bz2",  "gzip", "lz4",
                                               "lzma",  "zlib", "zstd"};
  return ids;
}

inline const std::vector<std::string>& streaming_ids() {
  static const std::vector<std::string> ids = {"bz2", "gzip", "lzma", "zlib", "zstd"};
  return ids;
}

// The built-in codecs, registered once for the whole test binary.
inline const CodecRegistry& registry() {
  static const CodecRegistry instance = CodecRegistry::with_builtins();
  return instance;
}

}  // namespace ndbucket::test
