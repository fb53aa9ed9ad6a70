// The ObjectStore conformance suite through EncryptedStore over MemoryStore: the default 64 KiB
// segments, 4 KiB segments (so ranged reads and bodies cross many segments), plaintext metadata
// copies, and an RSA-OAEP key.
#include "crypto/encrypted_test_support.hpp"
#include "store/conformance.hpp"

namespace ndbucket::testing {
namespace {

std::shared_ptr<ObjectStore> small_segments() {
  return encrypt(std::make_shared<MemoryStore>("enc"),
                 {.plaintext_metadata = {"DType", "shape"}, .segment_size = 4096});
}

std::shared_ptr<ObjectStore> rsa_wrapped() {
  static const std::string pem = crypto::RsaKey::generate(2048).private_pem();
  return encrypt(std::make_shared<MemoryStore>("enc"), {.key = crypto::rsa_key_from_pem(pem)});
}

INSTANTIATE_TEST_SUITE_P(
    Encrypted, StoreConformance,
    ::testing::Values(StoreFactory{"OverMemory",
                                   [] { return encrypt(std::make_shared<MemoryStore>("enc")); }},
                      StoreFactory{"OverMemorySmallSegments", small_segments},
                      StoreFactory{"RsaOverMemory", rsa_wrapped}),
    StoreFactory::Name);

}  // namespace
}  // namespace ndbucket::testing
