#include "ndbucket/codecs/registry.hpp"

#include <utility>

#include <nlohmann/json.hpp>

#include "config_reader.hpp"
#include "ndbucket/codecs/builtin.hpp"
#include "ndbucket/core/error.hpp"

namespace ndbucket {

using codec_detail::ascii_lower;

CodecRegistry CodecRegistry::with_builtins() { return with_builtins(BuiltinCodecSettings{}); }

CodecRegistry CodecRegistry::with_builtins(const BuiltinCodecSettings& settings) {
  CodecRegistry registry;
  register_builtin_codecs(registry, settings);
  return registry;
}

void CodecRegistry::add(std::string_view id, Factory factory) {
  if (id.empty()) throw Error(ErrorCode::InvalidArgument, "codec id must not be empty");
  if (!factory) {
    throw Error(ErrorCode::InvalidArgument, "codec \"" + std::string(id) + "\" needs a factory");
  }
  auto [it, inserted] = factories_.emplace(ascii_lower(id), std::move(factory));
  if (!inserted) {
    throw Error(ErrorCode::AlreadyExists,
                "codec id \"" + std::string(id) + "\" is already registered");
  }
}

bool CodecRegistry::contains(std::string_view id) const {
  return factories_.contains(ascii_lower(id));
}

std::vector<std::string> CodecRegistry::ids() const {
  std::vector<std::string> ids;
  ids.reserve(factories_.size());
  for (const auto& [id, factory] : factories_) ids.push_back(id);
  return ids;
}

std::shared_ptr<const Codec> CodecRegistry::create(std::string_view id) const {
  return from_config(nlohmann::json{{"id", std::string(id)}});
}

std::shared_ptr<const Codec> CodecRegistry::from_config(const nlohmann::json& config) const {
  if (!config.is_object()) {
    throw Error(ErrorCode::InvalidArgument,
                "codec config must be a JSON object, got " + config.dump());
  }
  auto id = config.find("id");
  if (id == config.end() || !id->is_string()) {
    throw Error(ErrorCode::InvalidArgument,
                "codec config " + config.dump() + " has no string \"id\"");
  }
  auto it = factories_.find(ascii_lower(id->get_ref<const std::string&>()));
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [name, factory] : factories_) known += (known.empty() ? "" : ", ") + name;
    throw Error(ErrorCode::NotFound,
                "no codec \"" + id->get<std::string>() + "\" is registered (known: " + known + ")");
  }
  std::shared_ptr<const Codec> codec = it->second(config);
  if (!codec) {
    throw Error(ErrorCode::InvalidArgument,
                "the factory of codec \"" + it->first + "\" returned nothing");
  }
  return codec;
}

std::shared_ptr<const Codec> CodecRegistry::from_config_text(std::string_view json_text) const {
  nlohmann::json config = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) {
    throw Error(ErrorCode::InvalidArgument,
                "codec config is not valid JSON: " + std::string(json_text.substr(0, 200)));
  }
  return from_config(config);
}

}  // namespace ndbucket
