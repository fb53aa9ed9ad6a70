// Tampering with what the wrapped store holds: every byte of a small object (body and envelope),
// sampled bytes of a large one, truncation, extension, reordered segments, swapped or replayed
// objects, altered plaintext metadata and wrong keys all give Corrupt or PermissionDenied, never
// a body.
#include <gtest/gtest.h>

#include <random>

#include "crypto/encrypted_test_support.hpp"
#include "ndbucket/core/base64.hpp"
#include "ndbucket/store/encryption_format.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

bool rejected_code(ErrorCode code) {
  return code == ErrorCode::Corrupt || code == ErrorCode::PermissionDenied;
}

// Runs a read that must fail; returns a description of what went wrong, empty when it failed
// with an allowed code.
template <typename F>
std::string must_reject(F&& read) {
  try {
    read();
    return "the tampered object was read back";
  } catch (const Error& error) {
    if (!rejected_code(error.code())) return std::string("wrong error: ") + error.what();
    return {};
  }
}

class Tamper : public ::testing::Test {
 protected:
  // The wrapped object `key`, replaced by `body` and `metadata`.
  void replace(const std::string& key, const Bytes& body, const Metadata& metadata) {
    inner_->put(key, body, {metadata, std::string(kDefaultContentType)});
  }
  GetResult raw(const std::string& key) { return inner_->get(key); }

  // Every read of `key` through the decorator (whole, ranged over `range`, into a buffer) fails.
  void expect_unreadable(const std::string& key, std::uint64_t size, ByteRange range,
                         const std::string& context) {
    std::string problem = must_reject([&] { store_->get(key); });
    if (problem.empty()) problem = must_reject([&] { store_->get(key, range); });
    if (problem.empty()) {
      Bytes into(size);
      problem = must_reject([&] { store_->get_into(key, into); });
    }
    EXPECT_TRUE(problem.empty()) << context << ": " << problem;
  }

  std::shared_ptr<MemoryStore> inner_ = std::make_shared<MemoryStore>();
  std::shared_ptr<EncryptedStore> store_ =
      encrypt(inner_, {.plaintext_metadata = {"dtype"}, .segment_size = 4096});
};

TEST_F(Tamper, EveryByteOfASmallObjectBody) {
  Bytes body = random_bytes(300, 1);
  store_->put("small", body);
  GetResult original = raw("small");
  ASSERT_EQ(original.body.size(), 316u);
  for (std::size_t i = 0; i < original.body.size(); ++i) {
    for (std::byte mask : {std::byte{0x01}, std::byte{0x80}}) {
      Bytes altered = original.body;
      altered[i] ^= mask;
      replace("small", altered, original.info.metadata);
      expect_unreadable("small", body.size(), ByteRange::span(i % 300, 1),
                        "body byte " + std::to_string(i));
    }
  }
  replace("small", original.body, original.info.metadata);
  EXPECT_EQ(store_->get("small").body, body);
}

TEST_F(Tamper, EveryByteOfTheEnvelopeAndItsText) {
  store_->put("small", random_bytes(50, 2), {{{"dtype", "<f8"}, {"note", "n"}}});
  GetResult original = raw("small");
  const std::string text = original.info.metadata.at("ndbucket-encryption");
  Bytes envelope = *base64_decode(text);
  for (std::size_t i = 0; i < envelope.size(); ++i) {
    Bytes altered = envelope;
    altered[i] ^= std::byte{0x01};
    Metadata metadata = original.info.metadata;
    metadata["ndbucket-encryption"] = base64_encode(altered);
    replace("small", original.body, metadata);
    expect_unreadable("small", 50, ByteRange::span(0, 1), "envelope byte " + std::to_string(i));
    std::string problem = must_reject([&] { store_->head("small"); });
    EXPECT_TRUE(problem.empty()) << "head, envelope byte " << i << ": " << problem;
  }
  for (std::string bad :
       {text.substr(1), text + "A", std::string("!") + text.substr(1), std::string()}) {
    Metadata metadata = original.info.metadata;
    metadata["ndbucket-encryption"] = bad;
    replace("small", original.body, metadata);
    expect_unreadable("small", 50, ByteRange::span(0, 1), "envelope text '" + bad + "'");
  }
  Metadata without = original.info.metadata;
  without.erase("ndbucket-encryption");
  replace("small", original.body, without);
  expect_unreadable("small", 50, ByteRange::span(0, 1), "no envelope");
  Metadata altered_plain = original.info.metadata;
  altered_plain["dtype"] = "<i8";
  replace("small", original.body, altered_plain);
  expect_unreadable("small", 50, ByteRange::span(0, 1), "altered plaintext metadata");
}

TEST_F(Tamper, SampledBytesOfALargeObject) {
  Bytes body = random_bytes(2 * 1024 * 1024 + 777, 3);
  store_->put("large", body);
  GetResult original = raw("large");
  std::mt19937_64 rng(4);
  for (int sample = 0; sample < 150; ++sample) {
    std::size_t at = static_cast<std::size_t>(rng() % original.body.size());
    Bytes altered = original.body;
    altered[at] ^= static_cast<std::byte>(1u << (rng() % 8));
    replace("large", altered, original.info.metadata);
    // The ranged read covers the altered segment's plaintext.
    std::uint64_t segment = at / (4096 + 16);
    expect_unreadable("large", body.size(), ByteRange::span(segment * 4096 + rng() % 100, 50),
                      "body byte " + std::to_string(at));
  }
  // Ranges that miss the altered segment still read (each segment authenticates alone).
  Bytes altered = original.body;
  altered[original.body.size() - 1] ^= std::byte{1};
  replace("large", altered, original.info.metadata);
  EXPECT_EQ(store_->get("large", ByteRange::span(0, 10'000)).body,
            Bytes(body.begin(), body.begin() + 10'000));
}

TEST_F(Tamper, TruncationExtensionAndReorderedSegments) {
  Bytes body = random_bytes(10 * 4096 + 100, 5);
  store_->put("obj", body);
  GetResult original = raw("obj");
  const std::size_t stride = 4096 + 16;
  auto cut = [&](std::size_t size) {
    return Bytes(original.body.begin(), original.body.begin() + static_cast<std::ptrdiff_t>(size));
  };
  std::vector<std::pair<std::string, Bytes>> cases;
  for (std::size_t segments : {0u, 1u, 5u, 10u}) {
    cases.emplace_back("cut at segment " + std::to_string(segments), cut(segments * stride));
  }
  cases.emplace_back("one byte short", cut(original.body.size() - 1));
  cases.emplace_back("15 bytes", cut(15));
  for (std::size_t extra : {std::size_t{1}, std::size_t{16}, stride}) {
    Bytes longer = original.body;
    Bytes tail = random_bytes(extra, extra);
    longer.insert(longer.end(), tail.begin(), tail.end());
    cases.emplace_back("extended by " + std::to_string(extra), longer);
  }
  Bytes repeated = original.body;
  repeated.insert(repeated.end(), original.body.end() - 116, original.body.end());
  cases.emplace_back("last segment repeated", repeated);
  Bytes swapped = original.body;
  std::swap_ranges(swapped.begin(), swapped.begin() + stride, swapped.begin() + stride);
  cases.emplace_back("segments 0 and 1 swapped", swapped);
  Bytes dropped_middle = original.body;
  dropped_middle.erase(dropped_middle.begin() + 3 * stride, dropped_middle.begin() + 4 * stride);
  cases.emplace_back("segment 3 dropped", dropped_middle);
  for (const auto& [name, altered] : cases) {
    replace("obj", altered, original.info.metadata);
    // Reading only the first bytes still notices: the size is checked against the sealed header.
    expect_unreadable("obj", body.size(), ByteRange::span(0, 10), name);
  }
}

TEST_F(Tamper, SwappedAndReplayedObjects) {
  Bytes a = random_bytes(9000, 6);
  Bytes b = random_bytes(9000, 7);
  store_->put("a", a);
  store_->put("b", b);
  GetResult raw_a = raw("a");
  GetResult raw_b = raw("b");
  replace("a", raw_b.body, raw_b.info.metadata);
  replace("b", raw_a.body, raw_a.info.metadata);
  expect_unreadable("a", 9000, ByteRange::span(0, 10), "a and b swapped");
  expect_unreadable("b", 9000, ByteRange::last(10), "a and b swapped");
  replace("a", raw_b.body, raw_a.info.metadata);
  expect_unreadable("a", 9000, ByteRange::span(5000, 10), "b's body under a's envelope");
  replace("a", raw_a.body, raw_b.info.metadata);
  expect_unreadable("a", 9000, ByteRange::span(5000, 10), "b's envelope over a's body");
  inner_->copy("b", "c");  // a server-side copy to another key: the key is authenticated
  expect_unreadable("c", 9000, ByteRange::span(0, 10), "b replayed at c");
}

TEST_F(Tamper, WrongKeysAreRefused) {
  Bytes body = random_bytes(100, 8);
  store_->put("k", body);
  auto wrong = encrypt(inner_, {.key = other_master_key()});
  try {
    wrong->get("k");
    FAIL() << "read with the wrong key";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::PermissionDenied);
    EXPECT_NE(std::string(error.what()).find(test_master_key()->id()), std::string::npos);
  }
  // Another key that claims the same id does not unwrap.
  auto impostor = encrypt(
      inner_, {.key = crypto::master_key(crypto::SecretBytes(Bytes(32)), test_master_key()->id())});
  EXPECT_EQ(error_code_of([&] { impostor->get("k"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { impostor->head("k"); }), ErrorCode::Corrupt);
  // An RSA key under the AES key's id is refused before unwrapping.
  auto rsa = encrypt(
      inner_, {.key = crypto::rsa_key(crypto::RsaKey::generate(2048), test_master_key()->id())});
  EXPECT_EQ(error_code_of([&] { rsa->get("k"); }), ErrorCode::Corrupt);
  EXPECT_EQ(store_->get("k").body, body);
}

TEST(EncryptionFormat, ParsersRejectEveryTruncationAndGarbage) {
  auto inner = std::make_shared<MemoryStore>();
  encrypt(inner)->put("x", Bytes(10), {{{"a", "b"}}});
  GetResult raw = inner->get("x");
  Bytes envelope = *base64_decode(raw.info.metadata.at("ndbucket-encryption"));
  encryption::Envelope parsed = encryption::parse_envelope(envelope);
  EXPECT_EQ(encryption::encode_envelope(parsed), envelope);
  EXPECT_EQ(parsed.key_id, test_master_key()->id());
  EXPECT_EQ(parsed.segment_size(), 65536u);
  for (std::size_t size = 0; size < envelope.size(); ++size) {
    EXPECT_EQ(error_code_of([&] { encryption::parse_envelope(ByteSpan(envelope).first(size)); }),
              ErrorCode::Corrupt)
        << size;
  }
  Bytes longer = envelope;
  longer.push_back(std::byte{0});
  EXPECT_EQ(error_code_of([&] { encryption::parse_envelope(longer); }), ErrorCode::Corrupt);
  // The one-line fuzz entry for bodies: garbage under a fixed key is Corrupt.
  Bytes key(32, std::byte{1});
  for (std::size_t size : {0u, 1u, 16u, 26u, 100u}) {
    EXPECT_EQ(
        error_code_of([&] { encryption::decode_body(key, parsed, "x", random_bytes(size, size)); }),
        ErrorCode::Corrupt);
  }
  for (std::size_t size = 0; size < 30; ++size) {
    Bytes garbage = random_bytes(size, 100 + size);
    EXPECT_EQ(error_code_of([&] { encryption::parse_sealed_header(garbage); }), ErrorCode::Corrupt);
  }
}

}  // namespace
}  // namespace ndbucket::testing
