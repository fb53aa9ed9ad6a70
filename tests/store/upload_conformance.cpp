// ObjectStore::begin_upload on every backend: a body written in pieces round-trips, and nothing
// is visible (the previous object stays) until commit.
#include "ndbucket/store/object_upload.hpp"
#include "store/conformance.hpp"

namespace ndbucket::testing {
namespace {

// Writes `body` in pieces of uneven sizes (1 byte, a few, 64 KiB, ...), as a stream would.
void write_in_pieces(ObjectUpload& upload, ByteSpan body) {
  const std::size_t sizes[] = {1, 7, 65536, 3, 1 << 20};
  for (std::size_t i = 0; !body.empty(); ++i) {
    std::size_t take = std::min(body.size(), sizes[i % std::size(sizes)]);
    upload.write(body.first(take));
    body = body.subspan(take);
  }
}

TEST_P(StoreConformance, UploadInPiecesRoundTrips) {
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{5 * 1024 * 1024 + 1}}) {
    SCOPED_TRACE(size);
    std::string key = "uploads/size-" + std::to_string(size);
    Bytes body = random_bytes(size, size + 1);
    auto upload = store_->begin_upload(key, {{{"DType", "<f8"}}, "application/x-test"});
    write_in_pieces(*upload, body);
    EXPECT_EQ(upload->size(), size);
    ObjectInfo written = upload->commit();
    EXPECT_EQ(written.key, key);
    EXPECT_EQ(written.size, size);
    EXPECT_FALSE(written.etag.empty());
    GetResult read = store_->get(key);
    EXPECT_TRUE(read.body == body);
    EXPECT_EQ(read.info.metadata, (Metadata{{"dtype", "<f8"}}));
    EXPECT_EQ(read.info.content_type, "application/x-test");
  }
}

TEST_P(StoreConformance, UploadIsInvisibleUntilCommitted) {
  store_->put("up/k", as_bytes("previous"), {{{"v", "1"}}});
  {
    auto upload = store_->begin_upload("up/k");
    upload->write(as_bytes("replacement"));
    EXPECT_EQ(as_string_view(store_->get("up/k").body), "previous");
    EXPECT_FALSE(store_->exists("up/fresh"));
    upload->abort();
    upload->abort();  // idempotent
  }
  EXPECT_EQ(as_string_view(store_->get("up/k").body), "previous");
  {
    // Destroyed without commit: as if aborted.
    auto upload = store_->begin_upload("up/k");
    upload->write(as_bytes("lost"));
    auto fresh = store_->begin_upload("up/fresh");
    fresh->write(as_bytes("never visible"));
  }
  GetResult kept = store_->get("up/k");
  EXPECT_EQ(as_string_view(kept.body), "previous");
  EXPECT_EQ(kept.info.metadata.at("v"), "1");
  EXPECT_FALSE(store_->exists("up/fresh"));
  EXPECT_EQ(store_->list("").objects.size(), 1u);

  auto upload = store_->begin_upload("up/k");
  upload->write(as_bytes("replacement"));
  upload->commit();
  GetResult replaced = store_->get("up/k");
  EXPECT_EQ(as_string_view(replaced.body), "replacement");
  EXPECT_TRUE(replaced.info.metadata.empty());
}

TEST_P(StoreConformance, UploadRefusesUseAfterItEnded) {
  auto committed = store_->begin_upload("ended/committed");
  committed->write(as_bytes("x"));
  committed->commit();
  EXPECT_EQ(error_code_of([&] { committed->write(as_bytes("y")); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { committed->commit(); }), ErrorCode::InvalidArgument);
  committed->abort();  // a no-op once committed: the object stays
  EXPECT_EQ(as_string_view(store_->get("ended/committed").body), "x");

  auto aborted = store_->begin_upload("ended/aborted");
  aborted->abort();
  EXPECT_EQ(error_code_of([&] { aborted->write(as_bytes("y")); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([&] { aborted->commit(); }), ErrorCode::InvalidArgument);
  EXPECT_FALSE(store_->exists("ended/aborted"));
}

TEST_P(StoreConformance, UploadRefusesInvalidKeys) {
  using namespace std::string_literals;
  for (const std::string& key : {""s, "../x"s, "a/./b"s, "a\0b"s}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(error_code_of([&] { store_->begin_upload(key); }), ErrorCode::InvalidArgument);
  }
}

}  // namespace
}  // namespace ndbucket::testing
