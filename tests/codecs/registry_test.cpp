// CodecRegistry: case-insensitive ids, config parsing and validation, custom codecs.
#include <gtest/gtest.h>

#include "codec_test_util.hpp"
#include "ndbucket/codecs/registry.hpp"

namespace ndbucket {
namespace {

using nlohmann::json;
using testing::error_code_of;

TEST(CodecRegistry, StartsEmptyAndHoldsBuiltinsAfterRegistration) {
  CodecRegistry empty;
  EXPECT_TRUE(empty.ids().empty());
  EXPECT_EQ(error_code_of([&] { empty.create("zstd"); }), ErrorCode::NotFound);
  CodecRegistry registry;
  register_builtin_codecs(registry);
  EXPECT_EQ(registry.ids(), test::builtin_ids());
  EXPECT_EQ(CodecRegistry::with_builtins().ids(), test::builtin_ids());
}

TEST(CodecRegistry, MatchesCottoncandyNamesCaseInsensitively) {
  auto registry = CodecRegistry::with_builtins();
  const std::pair<const char*, const char*> names[] = {
      {"Zstd", "zstd"}, {"LZ4", "lz4"},   {"BZ2", "bz2"},     {"Zlib", "zlib"}, {"gzip", "gzip"},
      {"GZIP", "gzip"}, {"lzma", "lzma"}, {"Blosc", "blosc"}, {"ZSTD", "zstd"}, {"LzMa", "lzma"}};
  for (auto [name, id] : names) {
    ASSERT_TRUE(registry.contains(name)) << name;
    auto codec = registry.create(name);
    EXPECT_EQ(codec->id(), id);
    const Bytes data = test::make_data(test::Pattern::kFloat64, 4000);
    EXPECT_EQ(codec->decode(codec->encode(data)), data);
    EXPECT_EQ(registry.from_config(json{{"id", name}})->id(), id);
  }
  EXPECT_FALSE(registry.contains("snappy"));
  EXPECT_FALSE(registry.contains(""));
}

TEST(CodecRegistry, DefaultsAreNumcodecs) {
  auto registry = CodecRegistry::with_builtins();
  EXPECT_EQ(registry.create("zlib")->config(), (json{{"id", "zlib"}, {"level", 1}}));
  EXPECT_EQ(registry.create("gzip")->config(), (json{{"id", "gzip"}, {"level", 1}}));
  EXPECT_EQ(registry.create("bz2")->config(), (json{{"id", "bz2"}, {"level", 1}}));
  EXPECT_EQ(registry.create("zstd")->config(), (json{{"id", "zstd"}, {"level", 1}}));
  EXPECT_EQ(registry.create("lz4")->config(), (json{{"id", "lz4"}, {"acceleration", 1}}));
  EXPECT_EQ(registry.create("lzma")->config(), (json{{"id", "lzma"},
                                                     {"format", 1},
                                                     {"check", -1},
                                                     {"preset", nullptr},
                                                     {"filters", nullptr}}));
  EXPECT_EQ(
      registry.create("blosc")->config(),
      (json{{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}}));
}

TEST(CodecRegistry, ConfigKeepsOptionsAndNormalisesTheId) {
  auto registry = CodecRegistry::with_builtins();
  auto codec = registry.from_config(json{{"id", "ZSTD"}, {"level", 9}});
  EXPECT_EQ(codec->config(), (json{{"id", "zstd"}, {"level", 9}}));
  auto blosc = registry.from_config_text(
      R"({"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 65536})");
  EXPECT_EQ(blosc->config()["cname"], "zstd");
  EXPECT_EQ(blosc->config()["blocksize"], 65536);
  auto lzma = registry.from_config(json{{"id", "lzma"}, {"preset", 9 | 0x80000000u}});
  EXPECT_EQ(lzma->config()["preset"], 9 | 0x80000000u);
}

TEST(CodecRegistry, RejectsBadConfigs) {
  auto registry = CodecRegistry::with_builtins();
  const json invalid[] = {
      json::array({1, 2}),
      json{{"level", 1}},
      json{{"id", 5}},
      json{{"id", "zlib"}, {"level", 10}},
      json{{"id", "zlib"}, {"level", -2}},
      json{{"id", "zlib"}, {"level", "1"}},
      json{{"id", "zlib"}, {"level", 1.5}},
      json{{"id", "zlib"}, {"level", nullptr}},
      json{{"id", "zlib"}, {"levle", 1}},
      json{{"id", "gzip"}, {"level", 11}},
      json{{"id", "bz2"}, {"level", 0}},
      json{{"id", "zstd"}, {"level", 23}},
      json{{"id", "zstd"}, {"checksum", 1}},
      json{{"id", "lz4"}, {"acceleration", "fast"}},
      json{{"id", "lzma"}, {"check", 2}},
      json{{"id", "lzma"}, {"preset", 10}},
      json{{"id", "lzma"}, {"format", 7}},
      json{{"id", "blosc"}, {"cname", "nosuch"}},
      json{{"id", "blosc"}, {"clevel", 10}},
      json{{"id", "blosc"}, {"shuffle", 3}},
      json{{"id", "blosc"}, {"blocksize", -1}},
      json{{"id", "blosc"}, {"typesize", 8}},
  };
  for (const json& config : invalid) {
    EXPECT_EQ(error_code_of([&] { registry.from_config(config); }), ErrorCode::InvalidArgument)
        << config.dump();
  }
  EXPECT_EQ(error_code_of([&] {
              registry.from_config(json{{"id", "snappy"}});
            }),
            ErrorCode::NotFound);
  EXPECT_EQ(error_code_of([&] { registry.from_config_text("{not json"); }),
            ErrorCode::InvalidArgument);
  // Valid numcodecs configs that ndbucket does not implement.
  EXPECT_EQ(error_code_of([&] {
              registry.from_config(json{{"id", "lzma"}, {"filters", json::array()}});
            }),
            ErrorCode::Unsupported);
  EXPECT_EQ(error_code_of([&] {
              registry.from_config(json{{"id", "lzma"}, {"format", 2}});
            }),
            ErrorCode::Unsupported);
}

TEST(CodecRegistry, RefusesDuplicatesInAnyCase) {
  auto registry = CodecRegistry::with_builtins();
  EXPECT_EQ(error_code_of([&] { registry.add("ZSTD", [](const json&) { return nullptr; }); }),
            ErrorCode::AlreadyExists);
  EXPECT_EQ(error_code_of([&] { register_builtin_codecs(registry); }), ErrorCode::AlreadyExists);
  EXPECT_EQ(error_code_of([&] { registry.add("", [](const json&) { return nullptr; }); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { registry.add("x", nullptr); }), ErrorCode::InvalidArgument);
}

TEST(CodecRegistry, AcceptsCustomCodecs) {
  CodecRegistry registry;
  registry.add("MyZlib", [](const json& config) {
    return make_zlib_codec({.level = config.value("level", 3)});
  });
  EXPECT_TRUE(registry.contains("myzlib"));
  auto codec = registry.from_config(json{{"id", "MYZLIB"}, {"level", 7}});
  EXPECT_EQ(codec->config(), (json{{"id", "zlib"}, {"level", 7}}));
  registry.add("broken", [](const json&) { return nullptr; });
  EXPECT_EQ(error_code_of([&] { registry.create("broken"); }), ErrorCode::InvalidArgument);
}

TEST(CodecRegistry, SettingsChooseThreads) {
  EXPECT_EQ(error_code_of([&] { CodecRegistry::with_builtins({.threads = 0}); }),
            ErrorCode::InvalidArgument);
  auto registry = CodecRegistry::with_builtins({.threads = 2});
  // Threads never change the config, and the output still decodes everywhere.
  for (const char* id : {"zstd", "blosc"}) {
    auto codec = registry.create(id);
    EXPECT_EQ(codec->config(), CodecRegistry::with_builtins().create(id)->config());
    const Bytes data = test::make_data(test::Pattern::kFloat64, 20 << 20);
    EXPECT_EQ(CodecRegistry::with_builtins().create(id)->decode(codec->encode(data, {8})), data);
  }
}

TEST(TypedFactories, ValidateOptions) {
  EXPECT_EQ(error_code_of([] { make_zlib_codec({.level = 12}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_gzip_codec({.level = -3}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_bz2_codec({.level = 10}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_zstd_codec({.level = 1000}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_zstd_codec({.workers = -1}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_lzma_codec({.check = 3}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_lzma_codec({.preset = 0x40000001}); }),
            ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_blosc_codec({.cname = "LZ4"}); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { make_blosc_codec({.threads = 0}); }), ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ndbucket
