// Stores and keys shared by the EncryptedStore tests.
#pragma once

#include <memory>
#include <random>

#include "ndbucket/crypto/keys.hpp"
#include "ndbucket/store/encrypted_store.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {

// A fixed master key (so ids are stable across calls) and a different one.
inline crypto::KeyPtr test_master_key() {
  Bytes key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::byte>(i * 7 + 1);
  return crypto::master_key(crypto::SecretBytes(key));
}
inline crypto::KeyPtr other_master_key() {
  return crypto::master_key(crypto::SecretBytes(Bytes(32, std::byte{0x5a})));
}

// `size` pseudo-random bytes, the same for the same seed.
inline std::shared_ptr<EncryptedStore> encrypt(std::shared_ptr<ObjectStore> inner,
                                               EncryptionOptions options = {}) {
  if (!options.key) options.key = test_master_key();
  return std::make_shared<EncryptedStore>(std::move(inner), std::move(options));
}

}  // namespace ndbucket::testing
