// EncryptedStore: authenticated, seekable client-side encryption over any ObjectStore. The
// wrapped store sees only ciphertext; the format, keys and guarantees are in docs/encryption.md.
//
//   auto store = std::make_shared<ndbucket::EncryptedStore>(
//       ndbucket::open_store("s3://bucket/run1"),
//       ndbucket::EncryptionOptions{.key = ndbucket::crypto::master_key_from_env("MY_KEY")});
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ndbucket/crypto/keys.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

struct EncryptionOptions {
  // Wraps the data key of every new object, and unwraps those it wrapped. Required. An RSA
  // public key makes a write-only store: put works, reading bodies is PermissionDenied.
  crypto::KeyPtr key{};
  // Further keys that only unwrap (older master keys during a rotation). Ids must be unique.
  std::vector<crypto::KeyPtr> decryption_keys{};
  // User metadata names (any case) also kept in plaintext on the wrapped object, e.g. so other
  // tools can see "dtype" and "shape". Everything stays sealed (and authenticated) as well.
  std::set<std::string> plaintext_metadata{};
  // Plaintext bytes per sealed segment: a power of two from 4 KiB to 16 MiB. Range reads fetch
  // whole segments; listings compute plaintext sizes with this value (use one per store).
  std::size_t segment_size = 64 * 1024;
};

// Thread safety: all methods may be called concurrently (as the wrapped store allows).
// Errors, in addition to the wrapped store's: Corrupt for anything that fails to authenticate
// (altered, truncated, extended, swapped or unencrypted objects); PermissionDenied when no key
// matches an object's key id or the key cannot unwrap (public RSA key).
class EncryptedStore final : public ObjectStore {
 public:
  // Errors: InvalidArgument for a null store or key, duplicate key ids, a bad segment size, or a
  // plaintext metadata name that is reserved ("ndbucket-encryption").
  EncryptedStore(std::shared_ptr<ObjectStore> inner, EncryptionOptions options);

  // Seals `body` under a fresh data key; returns plaintext info.
  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override;
  // One GET of the wrapped store (only the segments covering `range`); info.size is the
  // plaintext size.
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override;
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override;
  // Plaintext size, metadata and content type (authenticated). A write-only store reports the
  // size and only the plaintext-allowed metadata, unauthenticated.
  std::optional<ObjectInfo> head(std::string_view key) override;
  // The wrapped listing with plaintext sizes computed from ciphertext sizes (no extra requests).
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override;
  void remove(std::string_view key) override;
  std::vector<std::optional<Error>> remove_many(const std::vector<std::string>& keys) override;
  // Decrypts and re-encrypts under `destination` (the key is authenticated, so no server-side
  // copy). Errors: NotFound, InvalidArgument, as get and put.
  ObjectInfo copy(std::string_view source, std::string_view destination) override;
  // The wrapped store's URL: messages name where the ciphertext lives.
  std::string url() const override;
  StoreCapabilities capabilities() const override;

  // Key rotation: when `key`'s data key is wrapped by a key other than options.key, unwraps it
  // (with one of decryption_keys) and writes the same ciphertext back with the data key wrapped
  // by options.key. Returns whether it rewrote the object. The body is never decrypted or
  // re-encrypted; the sealed header is verified first. A concurrent put to `key` between the read
  // and the write is lost: rotate while writers are quiet. Errors: as get and put.
  bool rewrap(std::string_view key);

  struct RewrapSummary {
    std::size_t rewrapped = 0;
    std::size_t unchanged = 0;
  };
  // rewrap() for every object under `prefix`, in listing order; stops at the first error.
  RewrapSummary rewrap_all(std::string_view prefix);

  const std::shared_ptr<ObjectStore>& inner() const noexcept { return inner_; }

 private:
  struct Opened;
  struct Window;

  const crypto::KeyEncryptionKey& key_for(const std::string& id, std::string_view key) const;
  Opened open(std::string_view key, const ObjectInfo& inner_info) const;
  Window read(std::string_view key, const std::optional<ByteRange>& range);
  // Authenticates the window's segments and writes the plaintext range to `out`.
  void decrypt(std::string_view key, Window& window, std::byte* out) const;
  ObjectInfo outer_info(ObjectInfo info, const Opened& opened) const;

  std::shared_ptr<ObjectStore> inner_;
  EncryptionOptions options_;
  std::uint8_t segment_log2_ = 16;
  bool can_read_ = true;  // some key can unwrap
};

}  // namespace ndbucket
