#include "ndbucket/store/memory_store.hpp"

#include <mutex>

#include "listing.hpp"
#include "ndbucket/store/key.hpp"

namespace ndbucket {

MemoryStore::MemoryStore(std::string name) : name_(std::move(name)) {}

std::string MemoryStore::url() const { return "mem://" + name_; }

StoreCapabilities MemoryStore::capabilities() const {
  return {.arbitrary_key_segments = true, .server_side_copy = true};
}

ObjectInfo MemoryStore::store(std::string_view key, std::shared_ptr<const Bytes> body,
                              ObjectInfo info) {
  info.size = body->size();
  info.last_modified = std::chrono::system_clock::now();
  std::unique_lock lock(mutex_);
  // A version counter keeps etags distinct across rewrites without hashing the body.
  info.etag = "\"mem-" + std::to_string(++next_version_) + "\"";
  info.key = std::string(key);
  auto [it, inserted] = objects_.insert_or_assign(std::string(key), Object{std::move(body), info});
  return it->second.info;
}

ObjectInfo MemoryStore::put(std::string_view key, ByteSpan body, const PutOptions& options) {
  validate_key(key, url());
  ObjectInfo info;
  for (const auto& [name, value] : options.metadata) info.metadata[ascii_lower(name)] = value;
  info.content_type = options.content_type;
  return store(key, std::make_shared<const Bytes>(body.begin(), body.end()), std::move(info));
}

MemoryStore::Object MemoryStore::find(std::string_view key) const {
  validate_key(key, url());
  std::shared_lock lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) throw Error(ErrorCode::NotFound, "no object at " + describe(key));
  return it->second;
}

GetResult MemoryStore::get(std::string_view key, const std::optional<ByteRange>& range) {
  Object object = find(key);
  ResolvedRange span{0, object.body->size()};
  if (range) span = resolve_range(*range, object.body->size(), describe(key));
  GetResult result{{}, std::move(object.info)};
  result.body.assign(object.body->begin() + static_cast<std::ptrdiff_t>(span.begin),
                     object.body->begin() + static_cast<std::ptrdiff_t>(span.end));
  return result;
}

ObjectInfo MemoryStore::get_into(std::string_view key, MutableByteSpan destination,
                                 const std::optional<ByteRange>& range) {
  Object object = find(key);
  ResolvedRange span{0, object.body->size()};
  if (range) span = resolve_range(*range, object.body->size(), describe(key));
  check_destination_size(span.end - span.begin, destination.size(), describe(key));
  std::copy(object.body->begin() + static_cast<std::ptrdiff_t>(span.begin),
            object.body->begin() + static_cast<std::ptrdiff_t>(span.end), destination.begin());
  return std::move(object.info);
}

std::optional<ObjectInfo> MemoryStore::head(std::string_view key) {
  validate_key(key, url());
  std::shared_lock lock(mutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.info;
}

void MemoryStore::list_pages(std::string_view prefix, const ListOptions& options,
                             const std::function<bool(ListPage&)>& on_page) {
  ListingPager pager(prefix, options, on_page);
  // Snapshot the matching entries so the callback runs without the lock held.
  std::vector<ObjectInfo> matching;
  {
    std::shared_lock lock(mutex_);
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.starts_with(prefix); ++it) {
      ObjectInfo info = it->second.info;
      info.metadata.clear();
      info.content_type.clear();
      matching.push_back(std::move(info));
    }
  }
  for (ObjectInfo& info : matching) {
    bool more = true;
    if (auto rollup = pager.rollup_of(info.key)) {
      more = pager.add_common_prefix(std::move(*rollup));
    } else {
      more = pager.add_object(std::move(info));
    }
    if (!more) return;
  }
  pager.finish();
}

void MemoryStore::remove(std::string_view key) {
  validate_key(key, url());
  std::unique_lock lock(mutex_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
}

ObjectInfo MemoryStore::copy(std::string_view source, std::string_view destination) {
  validate_key(destination, url());
  Object object = find(source);
  // Bodies are immutable, so the copy shares the source's bytes.
  return store(destination, std::move(object.body), std::move(object.info));
}

}  // namespace ndbucket
