// The ObjectStore conformance suite through EncryptedStore over Ceph RGW (which checks every
// signature), with 4 KiB segments so ranges cross segments, plus tamper checks on the server.
#include "crypto/encrypted_test_support.hpp"
#include "ndbucket/store/prefix_store.hpp"
#include "s3/test_servers.hpp"
#include "store/conformance.hpp"

namespace ndbucket::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(EncryptedS3, StoreConformance,
                         ::testing::Values(StoreFactory{
                             "OverRgw",
                             [] {
                               return encrypt(
                                   make_bucket_store(test_server("rgw"), "enc"),
                                   {.plaintext_metadata = {"dtype"}, .segment_size = 4096});
                             }}),
                         StoreFactory::Name);

TEST(EncryptedRgw, TamperedBodiesAndSwapsAreCorrupt) {
  auto inner = make_bucket_store(test_server("rgw"), "enc-tamper");
  auto store = encrypt(std::make_shared<PrefixStore>(inner, "p"), {.segment_size = 4096});
  Bytes body(20'000, std::byte{7});
  store->put("a", body, {{{"dtype", "<u1"}}});
  store->put("b", Bytes(20'000, std::byte{8}));
  EXPECT_EQ(store->get("a", ByteRange::span(9000, 100)).body, Bytes(100, std::byte{7}));
  GetResult raw = inner->get("p/a");
  Bytes altered = raw.body;
  altered[9000] ^= std::byte{1};
  inner->put("p/a", altered, {raw.info.metadata, raw.info.content_type});
  EXPECT_EQ(error_code_of([&] { store->get("a"); }), ErrorCode::Corrupt);
  EXPECT_EQ(error_code_of([&] { store->get("a", ByteRange::span(8200, 1000)); }),
            ErrorCode::Corrupt);
  inner->copy("p/b", "p/a");
  EXPECT_EQ(error_code_of([&] { store->get("a"); }), ErrorCode::Corrupt);
  EXPECT_EQ(store->get("b").body, Bytes(20'000, std::byte{8}));
}

}  // namespace
}  // namespace ndbucket::testing
