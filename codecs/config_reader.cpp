#include "config_reader.hpp"

#include "ndbucket/core/error.hpp"

namespace ndbucket::codec_detail {

std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

ConfigReader::ConfigReader(const nlohmann::json& config, std::string_view id)
    : config_(config), id_(id) {
  if (!config.is_object()) {
    throw Error(ErrorCode::InvalidArgument,
                id_ + " codec config must be a JSON object, got " + config.dump());
  }
  auto it = config.find("id");
  if (it == config.end() || !it->is_string() ||
      ascii_lower(it->get_ref<const std::string&>()) != id_) {
    throw Error(ErrorCode::InvalidArgument,
                "codec config " + config.dump() + " does not have \"id\": \"" + id_ + "\"");
  }
  seen_.insert("id");
}

const nlohmann::json* ConfigReader::find(std::string_view key) {
  seen_.insert(std::string(key));
  auto it = config_.find(std::string(key));
  if (it == config_.end()) return nullptr;
  return &*it;
}

void ConfigReader::bad(std::string_view key, std::string_view expected) const {
  throw Error(ErrorCode::InvalidArgument, id_ + " codec config " + config_.dump() + ": \"" +
                                              std::string(key) + "\" must be " +
                                              std::string(expected));
}

std::optional<std::int64_t> ConfigReader::optional_integer(std::string_view key, std::int64_t min,
                                                           std::int64_t max) {
  const nlohmann::json* value = find(key);
  if (value == nullptr || value->is_null()) return std::nullopt;
  const std::string range =
      "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  std::int64_t number = 0;
  if (value->is_number_unsigned()) {
    auto u = value->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) bad(key, range);
    number = static_cast<std::int64_t>(u);
  } else if (value->is_number_integer()) {
    number = value->get<std::int64_t>();
  } else {
    bad(key, range);
  }
  if (number < min || number > max) bad(key, range);
  return number;
}

std::int64_t ConfigReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) {
  const nlohmann::json* value = find(key);
  if (value == nullptr) return fallback;
  if (value->is_null()) {
    bad(key, "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return *optional_integer(key, min, max);
}

bool ConfigReader::boolean(std::string_view key, bool fallback) {
  const nlohmann::json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) bad(key, "true or false");
  return value->get<bool>();
}

std::string ConfigReader::string(std::string_view key, std::string_view fallback) {
  const nlohmann::json* value = find(key);
  if (value == nullptr) return std::string(fallback);
  if (!value->is_string()) bad(key, "a string");
  return value->get<std::string>();
}

void ConfigReader::require_null(std::string_view key, std::string_view why) {
  const nlohmann::json* value = find(key);
  if (value != nullptr && !value->is_null()) {
    throw Error(ErrorCode::Unsupported, id_ + " codec config " + config_.dump() + ": \"" +
                                            std::string(key) + "\" is not supported (" +
                                            std::string(why) + ")");
  }
}

void ConfigReader::reject_unknown_keys() const {
  for (const auto& [key, value] : config_.items()) {
    if (!seen_.contains(key)) {
      throw Error(ErrorCode::InvalidArgument,
                  id_ + " codec config " + config_.dump() + ": unknown option \"" + key + "\"");
    }
  }
}

}  // namespace ndbucket::codec_detail
