// PrefixStore: a view of another store rooted at a key prefix, like a subdirectory.
// open_store("s3://bucket/run1") and open_store("mem://name/run1") return one of these.
#pragma once

#include <memory>
#include <string>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

// Key "x" maps to "<prefix>/x" in the wrapped store; listings strip the prefix again, so callers
// never see keys outside it. Thread safety: as the wrapped store.
class PrefixStore final : public ObjectStore {
 public:
  // `prefix` is a key without leading or trailing '/' ("run1", "a/b"). Errors: InvalidArgument
  // for an invalid prefix (see validate_key), or a null store.
  PrefixStore(std::shared_ptr<ObjectStore> inner, std::string_view prefix);

  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override;
  std::unique_ptr<ObjectUpload> begin_upload(std::string_view key,
                                             const PutOptions& options = {}) override;
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override;
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override;
  std::optional<ObjectInfo> head(std::string_view key) override;
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override;
  void remove(std::string_view key) override;
  std::vector<std::optional<Error>> remove_many(const std::vector<std::string>& keys) override;
  ObjectInfo copy(std::string_view source, std::string_view destination) override;
  std::string url() const override;
  StoreCapabilities capabilities() const override { return inner_->capabilities(); }

  const std::shared_ptr<ObjectStore>& inner() const { return inner_; }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string inner_key(std::string_view key) const;
  ObjectInfo outer_info(ObjectInfo info) const;

  std::shared_ptr<ObjectStore> inner_;
  std::string prefix_;  // with a trailing '/'
};

}  // namespace ndbucket
