// CodecRegistry: finds a codec by its numcodecs id or its Zarr JSON config.
//
// There is no global registry: a program makes one (usually CodecRegistry::with_builtins()) and
// passes it to the layers that need codecs.
//
//   auto registry = ndbucket::CodecRegistry::with_builtins();
//   auto zstd = registry.from_config(nlohmann::json{{"id", "zstd"}, {"level", 3}});
//   auto lz4 = registry.create("LZ4");  // cottoncandy's spelling, default options
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ndbucket/codecs/codec.hpp"

namespace ndbucket {

struct BuiltinCodecSettings;  // builtin.hpp

// Maps codec ids to factories. Ids are matched case-insensitively (ASCII), so cottoncandy's
// "Zstd", "LZ4", "BZ2", "Zlib" and "GZIP" find "zstd", "lz4", "bz2", "zlib" and "gzip".
//
// Thread safety: registering (add) must not overlap with anything else; once populated, every
// const method may be called from many threads at once. Codecs it returns are independent of the
// registry and may outlive it.
class CodecRegistry {
 public:
  // Builds a codec from a JSON object whose "id" matched. It must validate every other key and
  // throw Error(InvalidArgument) for a bad or unknown one.
  using Factory = std::function<std::shared_ptr<const Codec>(const nlohmann::json& config)>;

  // An empty registry.
  CodecRegistry() = default;

  // A registry holding the built-in codecs: register_builtin_codecs(registry, settings)
  // (BuiltinCodecSettings is defined in builtin.hpp). Throws InvalidArgument for bad settings.
  static CodecRegistry with_builtins();
  static CodecRegistry with_builtins(const BuiltinCodecSettings& settings);

  // Registers `factory` under `id` (stored lower-case). Throws InvalidArgument for an empty id and
  // AlreadyExists when the id (in any case) is taken.
  void add(std::string_view id, Factory factory);

  // Whether `id` (any case) is registered.
  bool contains(std::string_view id) const;

  // The registered ids, lower-case and sorted.
  std::vector<std::string> ids() const;

  // A codec with default options for `id` (any case), i.e. from_config({"id": id}).
  // Throws NotFound for an unknown id.
  std::shared_ptr<const Codec> create(std::string_view id) const;

  // A codec from a Zarr/numcodecs config such as {"id": "blosc", "cname": "zstd", "clevel": 3,
  // "shuffle": 2, "blocksize": 0}. Missing keys take numcodecs' defaults.
  // Throws InvalidArgument when `config` is not an object with a string "id" or an option is bad
  // or unknown, NotFound when the id is not registered.
  std::shared_ptr<const Codec> from_config(const nlohmann::json& config) const;

  // Same, from JSON text. Throws InvalidArgument when the text is not JSON.
  std::shared_ptr<const Codec> from_config_text(std::string_view json_text) const;

 private:
  std::map<std::string, Factory, std::less<>> factories_;
};

}  // namespace ndbucket
