// Reads a numcodecs-style JSON codec config strictly (internal).
//
// numcodecs builds a codec with cls(**config), so an unknown key is an error there too; ndbucket
// refuses it with InvalidArgument rather than silently ignoring an option it does not apply.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ndbucket::codec_detail {

class ConfigReader {
 public:
  // Checks that `config` is an object whose "id" equals `id` ignoring case.
  ConfigReader(const nlohmann::json& config, std::string_view id);

  // An integer option in [min, max], or `fallback` when absent.
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
  // Same, but JSON null (or absence) gives std::nullopt.
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                               std::int64_t max);
  bool boolean(std::string_view key, bool fallback);
  std::string string(std::string_view key, std::string_view fallback);
  // The key must be absent or null (an option ndbucket does not implement).
  void require_null(std::string_view key, std::string_view why);

  // Throws InvalidArgument naming the first key no accessor asked for.
  void reject_unknown_keys() const;

 private:
  const nlohmann::json* find(std::string_view key);
  [[noreturn]] void bad(std::string_view key, std::string_view expected) const;

  const nlohmann::json& config_;
  std::string id_;
  std::set<std::string, std::less<>> seen_;
};

// ASCII lower-case, for matching cottoncandy's "Zstd", "LZ4" ... against numcodecs ids.
std::string ascii_lower(std::string_view text);

}  // namespace ndbucket::codec_detail
