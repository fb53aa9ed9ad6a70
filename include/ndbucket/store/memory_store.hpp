// MemoryStore: an ObjectStore held in this process's memory, for tests, caches and scratch work.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

// Objects live in a sorted map guarded by a reader/writer lock. Bodies are immutable and shared,
// so a get copies its bytes outside the lock and a concurrent put never tears it.
// Thread safety: all methods may be called concurrently.
class MemoryStore final : public ObjectStore {
 public:
  // `name` only labels the store in URLs and messages ("mem://<name>").
  explicit MemoryStore(std::string name = "memory");

  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override;
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override;
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override;
  std::optional<ObjectInfo> head(std::string_view key) override;
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override;
  void remove(std::string_view key) override;
  ObjectInfo copy(std::string_view source, std::string_view destination) override;
  std::string url() const override;
  StoreCapabilities capabilities() const override;

 private:
  struct Object {
    std::shared_ptr<const Bytes> body;
    ObjectInfo info;  // info.key is filled in on the way out
  };
  // A snapshot of the object (its body shared, not copied). Errors: InvalidArgument, NotFound.
  Object find(std::string_view key) const;
  ObjectInfo store(std::string_view key, std::shared_ptr<const Bytes> body, ObjectInfo info);

  const std::string name_;
  mutable std::shared_mutex mutex_;
  // Guarded by mutex_.
  std::map<std::string, Object, std::less<>> objects_;
  std::uint64_t next_version_ = 0;
};

}  // namespace ndbucket
