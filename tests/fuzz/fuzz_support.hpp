// What the fuzz targets share: the entry point macro and adapters that turn fuzz bytes into the
// input a library function takes. A target is one call:
//
//   NDBUCKET_FUZZ_TARGET(input) { ndbucket::decode_npy(input, "fuzz"); }
//
// ndbucket::Error is the expected answer to bad input and is ignored; anything else (a crash, a
// sanitizer report, another exception, a leak) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/sparse.hpp"
#include "ndbucket/codecs/registry.hpp"
#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "ndbucket/store/s3_store.hpp"
#include "store/s3/http_client.hpp"

namespace ndbucket::fuzz {

inline std::string_view as_text(ByteSpan input) {
  return {reinterpret_cast<const char*>(input.data()), input.size()};
}

// Metadata from "name=value" lines.
inline Metadata metadata_from(ByteSpan input) {
  Metadata metadata;
  std::string_view text = as_text(input);
  while (!text.empty()) {
    std::string_view line = text.substr(0, text.find('\n'));
    text.remove_prefix(std::min(text.size(), line.size() + 1));
    std::size_t eq = line.find('=');
    metadata[std::string(line.substr(0, eq))] =
        eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1));
  }
  return metadata;
}

// Decodes `input` with the built-in codec `id`, bounded as ArrayStore bounds a chunk.
inline void decode_with(std::string_view id, ByteSpan input) {
  static const CodecRegistry registry = CodecRegistry::with_builtins();
  static const std::shared_ptr<const Codec> codec = registry.create(id);
  codec->decode(input, {.max_decoded_size = 16u << 20});
}

// Loads a sparse matrix whose metadata.json is `input` and whose attrs do not exist.
inline void load_sparse_with_metadata(ByteSpan input) {
  auto store = std::make_shared<MemoryStore>();
  store->put("m/metadata.json", input);
  load_sparse_arrays(ArrayStore(store), "m");
}

// An HTTP transport that answers every request with 200 and `body`.
class CannedTransport final : public s3::HttpTransport {
 public:
  explicit CannedTransport(ByteSpan body) : body_(body) {}
  s3::HttpResponse perform(const s3::HttpRequest&) override {
    s3::HttpResponse response;
    response.status = 200;
    response.body.assign(body_.begin(), body_.end());
    response.body_bytes = body_.size();
    return response;
  }

 private:
  ByteSpan body_;
};

// An S3Store whose server answers every request with 200 and `body`.
inline S3Store store_answering(ByteSpan body) {
  S3Config config;
  config.bucket = "fuzz";
  config.endpoint = "http://127.0.0.1:9";
  config.region = "us-east-1";
  config.access_key_id = "AKIDFUZZ";
  config.secret_access_key = "fuzz-secret";
  config.retry.max_attempts = 1;
  return S3Store(config, std::make_shared<CannedTransport>(body));
}

inline void run(const std::uint8_t* data, std::size_t size, void (*target)(ByteSpan)) {
  try {
    target(ByteSpan(reinterpret_cast<const std::byte*>(data), size));
  } catch (const Error&) {
  }
}

}  // namespace ndbucket::fuzz

#define NDBUCKET_FUZZ_TARGET(input)                                                   \
  static void ndbucket_fuzz_one(ndbucket::ByteSpan input);                            \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    ndbucket::fuzz::run(data, size, &ndbucket_fuzz_one);                              \
    return 0;                                                                         \
  }                                                                                   \
  static void ndbucket_fuzz_one(ndbucket::ByteSpan input)
