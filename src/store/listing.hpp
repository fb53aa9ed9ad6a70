// Building blocks for backends that list from an ordered sequence of keys (MemoryStore,
// FileStore): S3's delimiter roll-up and paging, written once.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

// Feeds keys in ascending byte order and turns them into S3-style pages: keys under `prefix`
// whose remainder contains the delimiter become one common prefix each (emitted once), the rest
// are objects. Thread safety: one instance per listing.
class ListingPager {
 public:
  // Throws InvalidArgument for a zero page size.
  ListingPager(std::string_view prefix, const ListOptions& options,
               const std::function<bool(ListPage&)>& on_page);

  // The common prefix `key` rolls up into, or nullopt when it is listed as an object.
  // `key` must start with the listing's prefix.
  std::optional<std::string> rollup_of(std::string_view key) const;

  // Adds one object (key must not roll up). Returns false once the caller asked to stop.
  bool add_object(ObjectInfo info);
  // Adds one common prefix; repeats of the previous one are ignored. Returns false on stop.
  bool add_common_prefix(std::string common_prefix);
  // The last common prefix added: every key starting with it can be skipped.
  const std::string& last_common_prefix() const { return last_prefix_; }

  // Delivers the last partial page. Call once at the end unless a call returned false.
  void finish();

 private:
  bool flush_if_full();

  std::string prefix_;
  std::string delimiter_;
  std::size_t page_size_;
  const std::function<bool(ListPage&)>& on_page_;
  ListPage page_;
  std::string last_prefix_;
  bool stopped_ = false;
};

}  // namespace ndbucket
