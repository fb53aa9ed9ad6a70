// EncryptedStore behaviour beyond the conformance suite: what the wrapped store sees, plaintext
// sizes in listings, range reads fetching only their segments, write-only RSA producers,
// metadata sealing, readers with another segment size, key rotation, copies through fs.
#include "ndbucket/store/encrypted_store.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <random>

#include "crypto/encrypted_test_support.hpp"
#include "ndbucket/fs/filesystem.hpp"
#include "ndbucket/store/encryption_format.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

Bytes slice(const Bytes& bytes, std::size_t begin, std::size_t end) {
  return Bytes(bytes.begin() + static_cast<std::ptrdiff_t>(begin),
               bytes.begin() + static_cast<std::ptrdiff_t>(end));
}

// Forwards to a MemoryStore and records the range of every get.
class RecordingStore final : public ObjectStore {
 public:
  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options) override {
    return inner_.put(key, body, options);
  }
  GetResult get(std::string_view key, const std::optional<ByteRange>& range) override {
    std::lock_guard lock(mutex_);
    gets_.push_back(range);
    return inner_.get(key, range);
  }
  std::optional<ObjectInfo> head(std::string_view key) override { return inner_.head(key); }
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override {
    inner_.list_pages(prefix, options, on_page);
  }
  void remove(std::string_view key) override { inner_.remove(key); }
  ObjectInfo copy(std::string_view source, std::string_view destination) override {
    return inner_.copy(source, destination);
  }
  std::string url() const override { return inner_.url(); }

  std::vector<std::optional<ByteRange>> take_gets() {
    std::lock_guard lock(mutex_);
    return std::exchange(gets_, {});
  }

 private:
  MemoryStore inner_{"recorded"};
  std::mutex mutex_;
  std::vector<std::optional<ByteRange>> gets_;
};

TEST(EncryptedStore, TheWrappedStoreSeesOnlyCiphertextAndTheEnvelope) {
  auto inner = std::make_shared<MemoryStore>();
  auto store = encrypt(inner);
  Bytes body = to_bytes(std::string(1000, 'p') + "secret payload");
  store->put("a", body, {{{"DType", "<f8"}, {"shape", "10,10"}}, "application/x-npy"});
  GetResult raw = inner->get("a");
  EXPECT_EQ(raw.body.size(), body.size() + 16);
  EXPECT_EQ(std::string(as_string_view(raw.body)).find("secret"), std::string::npos);
  EXPECT_EQ(raw.info.content_type, kDefaultContentType);
  ASSERT_EQ(raw.info.metadata.size(), 1u);
  EXPECT_TRUE(raw.info.metadata.contains("ndbucket-encryption"));
  EXPECT_EQ(raw.info.metadata.at("ndbucket-encryption").find("<f8"), std::string::npos);

  // Two puts of the same body differ (a fresh data key each time).
  store->put("b", body);
  EXPECT_NE(inner->get("b").body, raw.body);
}

TEST(EncryptedStore, AllowListedMetadataAlsoStaysInPlaintext) {
  auto inner = std::make_shared<MemoryStore>();
  auto store = encrypt(inner, {.plaintext_metadata = {"DTYPE", "Shape"}});
  store->put("a", as_bytes("x"), {{{"dtype", "<i4"}, {"shape", "1"}, {"author", "ana"}}});
  Metadata raw = inner->head("a")->metadata;
  EXPECT_EQ(raw.at("dtype"), "<i4");
  EXPECT_EQ(raw.at("shape"), "1");
  EXPECT_FALSE(raw.contains("author"));
  EXPECT_EQ(store->head("a")->metadata,
            (Metadata{{"author", "ana"}, {"dtype", "<i4"}, {"shape", "1"}}));
  // A reader without the allow-list still reads it, and a reader with a longer one too.
  EXPECT_EQ(encrypt(inner)->get("a").info.metadata.at("author"), "ana");
  EXPECT_EQ(encrypt(inner, {.plaintext_metadata = {"author"}})->head("a")->metadata.size(), 3u);
  EXPECT_EQ(error_code_of([&] { encrypt(inner, {.plaintext_metadata = {"Ndbucket-Encryption"}}); }),
            ErrorCode::InvalidArgument);
}

TEST(EncryptedStore, HeadAndListReportPlaintextSizes) {
  auto inner = std::make_shared<MemoryStore>();
  auto store = encrypt(inner, {.segment_size = 4096});
  std::vector<std::size_t> sizes = {0, 1, 4095, 4096, 4097, 8192, 100'000};
  for (std::size_t size : sizes) store->put("s/" + std::to_string(size), Bytes(size));
  for (std::size_t size : sizes) {
    EXPECT_EQ(store->head("s/" + std::to_string(size))->size, size);
  }
  for (const ObjectInfo& info : store->list("s/").objects) {
    EXPECT_EQ(info.size, std::stoul(info.key.substr(2))) << info.key;
  }
  EXPECT_EQ(inner->head("s/4096")->size, 4096u + 16u);
  EXPECT_EQ(inner->head("s/4097")->size, 4097u + 32u);
  // A stray plain object lists with size 0 and reads as Corrupt.
  inner->put("s/plain", Bytes(4096 + 16 + 5));
  EXPECT_EQ(store->list("s/plain").objects.at(0).size, 0u);
  EXPECT_EQ(error_code_of([&] { store->get("s/plain"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { store->head("s/plain"); }), ErrorCode::Corrupt);
}

TEST(EncryptedStore, SizeArithmeticInvertsForEverySmallSize) {
  for (std::uint64_t segment : {4096u, 65536u}) {
    for (std::uint64_t size = 0; size < 3 * segment + 40; size += (size < 200 ? 1 : 97)) {
      std::uint64_t sealed = encryption::ciphertext_size(size, segment);
      EXPECT_EQ(encryption::plaintext_size(sealed, segment), size) << size;
    }
    EXPECT_FALSE(encryption::plaintext_size(0, segment).has_value());
    EXPECT_FALSE(encryption::plaintext_size(15, segment).has_value());
    EXPECT_FALSE(encryption::plaintext_size(segment + 16 + 16, segment).has_value());
  }
}

TEST(EncryptedStore, RangeReadsFetchOnlyTheCoveringSegmentsInOneRequest) {
  auto inner = std::make_shared<RecordingStore>();
  auto store = encrypt(inner, {.segment_size = 4096});
  Bytes body = random_bytes(10 * 4096 + 123, 1);
  store->put("big", body);
  inner->take_gets();
  const std::uint64_t stride = 4096 + 16;

  EXPECT_EQ(store->get("big", ByteRange::span(5000, 3000)).body, slice(body, 5000, 8000));
  auto gets = inner->take_gets();
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0]->offset, 1 * stride);
  EXPECT_EQ(gets[0]->length, 1 * stride);

  Bytes into(4096 * 3);
  store->get_into("big", into, ByteRange::span(4096 * 2, into.size()));
  EXPECT_EQ(into, slice(body, 4096 * 2, 4096 * 5));
  gets = inner->take_gets();
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0]->offset, 2 * stride);
  EXPECT_EQ(gets[0]->length, 3 * stride);

  EXPECT_EQ(store->get("big", ByteRange::last(200)).body,
            slice(body, body.size() - 200, body.size()));
  EXPECT_EQ(store->get("big", ByteRange::last(5000)).body,
            slice(body, body.size() - 5000, body.size()));
  EXPECT_EQ(store->get("big", ByteRange::from(40000)).body, slice(body, 40000, body.size()));
  EXPECT_EQ(inner->take_gets().size(), 3u);
  for (std::uint64_t offset = 0; offset < body.size(); offset += 1531) {
    for (std::uint64_t length : {1u, 15u, 4096u, 9000u}) {
      std::uint64_t end = std::min<std::uint64_t>(body.size(), offset + length);
      ASSERT_EQ(store->get("big", ByteRange::span(offset, length)).body, slice(body, offset, end))
          << offset << "+" << length;
    }
  }
}

TEST(EncryptedStore, ReadersWithAnotherSegmentSizeStillReadExactly) {
  auto inner = std::make_shared<MemoryStore>();
  Bytes body = random_bytes(70'000, 2);
  encrypt(inner, {.segment_size = 4096})->put("x", body);
  auto reader = encrypt(inner, {.segment_size = 1 << 20});
  EXPECT_EQ(reader->get("x").body, body);
  EXPECT_EQ(reader->head("x")->size, body.size());
  EXPECT_EQ(reader->get("x", ByteRange::span(30'000, 20'000)).body, slice(body, 30'000, 50'000));
  EXPECT_EQ(reader->get("x", ByteRange::last(9)).body, slice(body, body.size() - 9, body.size()));
  EXPECT_EQ(error_code_of([&] { encrypt(inner, {.segment_size = 1000}); }),
            ErrorCode::InvalidArgument);
}

TEST(EncryptedStore, PublicKeyStoresWriteButCannotRead) {
  crypto::RsaKey pair = crypto::RsaKey::generate(2048);
  auto inner = std::make_shared<MemoryStore>();
  auto producer = encrypt(
      inner, {.key = crypto::rsa_key_from_pem(pair.public_pem()), .plaintext_metadata = {"dtype"}});
  auto consumer = encrypt(inner, {.key = crypto::rsa_key_from_pem(pair.private_pem())});
  Bytes body = random_bytes(5000, 3);
  producer->put("out/a", body, {{{"dtype", "<u1"}, {"note", "hidden"}}});
  EXPECT_EQ(error_code_of([&] { producer->get("out/a"); }), ErrorCode::PermissionDenied);
  Bytes into(10);
  EXPECT_EQ(error_code_of([&] { producer->get_into("out/a", into, ByteRange::span(0, 10)); }),
            ErrorCode::PermissionDenied);
  EXPECT_EQ(error_code_of([&] { producer->copy("out/a", "out/b"); }), ErrorCode::PermissionDenied);
  auto info = producer->head("out/a");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, body.size());
  EXPECT_EQ(info->metadata, (Metadata{{"dtype", "<u1"}}));
  EXPECT_EQ(producer->list("out/").objects.at(0).size, body.size());
  GetResult read = consumer->get("out/a");
  EXPECT_EQ(read.body, body);
  EXPECT_EQ(read.info.metadata.at("note"), "hidden");
  producer->remove("out/a");
  EXPECT_FALSE(consumer->exists("out/a"));
}

TEST(EncryptedStore, KeyRotationRewrapsWithoutReencryptingBodies) {
  auto inner = std::make_shared<MemoryStore>();
  crypto::KeyPtr old_key = test_master_key();
  crypto::KeyPtr new_key = other_master_key();
  auto before = encrypt(inner, {.key = old_key});
  for (int i = 0; i < 5; ++i) {
    before->put("r/" + std::to_string(i), random_bytes(10'000 + i, i),
                {{{"i", std::to_string(i)}}});
  }
  Bytes old_body = inner->get("r/3").body;
  auto rotating = encrypt(inner, {.key = new_key, .decryption_keys = {old_key}});
  rotating->put("r/new", as_bytes("already under the new key"));
  auto summary = rotating->rewrap_all("r/");
  EXPECT_EQ(summary.rewrapped, 5u);
  EXPECT_EQ(summary.unchanged, 1u);
  EXPECT_EQ(inner->get("r/3").body, old_body);  // same ciphertext, new envelope
  auto after = encrypt(inner, {.key = new_key});
  for (int i = 0; i < 5; ++i) {
    GetResult read = after->get("r/" + std::to_string(i));
    EXPECT_EQ(read.body, random_bytes(10'000 + i, i));
    EXPECT_EQ(read.info.metadata.at("i"), std::to_string(i));
  }
  EXPECT_EQ(error_code_of([&] { before->get("r/0"); }), ErrorCode::PermissionDenied);
  EXPECT_FALSE(rotating->rewrap("r/0"));
  EXPECT_EQ(error_code_of(
                [&] { encrypt(inner, {.key = new_key, .decryption_keys = {other_master_key()}}); }),
            ErrorCode::InvalidArgument);
}

TEST(EncryptedStore, CopyReencryptsUnderTheNewKeyAndFsCpWorks) {
  auto inner = std::make_shared<MemoryStore>();
  auto store = encrypt(inner);
  Bytes body = random_bytes(200'000, 4);
  store->put("dir/a", body, {{{"dtype", "<f4"}}, "text/x"});
  store->put("dir/sub/b", as_bytes("b"));
  store->copy("dir/a", "other/a");
  EXPECT_NE(inner->get("other/a").body, inner->get("dir/a").body);
  EXPECT_EQ(store->get("other/a").body, body);
  FileSystem fs(store);
  EXPECT_EQ(fs.cp("dir", "copied", {.recursive = true}), 2u);
  GetResult copied = store->get("copied/a");
  EXPECT_EQ(copied.body, body);
  EXPECT_EQ(copied.info.metadata.at("dtype"), "<f4");
  EXPECT_EQ(copied.info.content_type, "text/x");
  EXPECT_EQ(fs.glob("copied/**").size(), 2u);
  EXPECT_EQ(fs.du("copied").bytes, body.size() + 1);
}

}  // namespace
}  // namespace ndbucket::testing
