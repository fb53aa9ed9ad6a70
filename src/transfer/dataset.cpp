#include "ndbucket/transfer/dataset.hpp"

#include <cstdint>

namespace ndbucket {
namespace {

void check_shards(const DatasetOptions& options, std::string_view what) {
  if (options.shard_count == 0 || options.shard_index >= options.shard_count) {
    throw Error(ErrorCode::InvalidArgument, "dataset " + std::string(what) + ": shard_index " +
                                                std::to_string(options.shard_index) +
                                                " is not within shard_count " +
                                                std::to_string(options.shard_count));
  }
}

}  // namespace

std::size_t shard_of(std::string_view key, std::size_t shard_count) {
  if (shard_count == 0) {
    throw Error(ErrorCode::InvalidArgument, "shard_of: shard_count must be at least 1");
  }
  // FNV-1a, 64 bits: std::hash differs between standard libraries, and workers built differently
  // must agree on the assignment.
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<std::size_t>(hash % shard_count);
}

Dataset Dataset::from_prefix(std::shared_ptr<ObjectStore> store, std::string_view prefix,
                             DatasetOptions options) {
  check_shards(options, store->describe(prefix));
  std::vector<std::string> keys;
  store->list_pages(prefix, {}, [&](ListPage& page) {
    for (ObjectInfo& object : page.objects) {
      if (shard_of(object.key, options.shard_count) == options.shard_index) {
        keys.push_back(std::move(object.key));
      }
    }
    return true;
  });
  return Dataset(std::move(store), std::move(keys), options.reader);
}

Dataset Dataset::from_keys(std::shared_ptr<ObjectStore> store, std::vector<std::string> keys,
                           DatasetOptions options) {
  check_shards(options, "of " + std::to_string(keys.size()) + " keys in " + store->url());
  if (options.shard_count > 1) {
    std::erase_if(keys, [&](const std::string& key) {
      return shard_of(key, options.shard_count) != options.shard_index;
    });
  }
  return Dataset(std::move(store), std::move(keys), options.reader);
}

ObjectReader Dataset::reader(std::size_t index) const {
  if (index >= keys_.size()) {
    throw Error(ErrorCode::InvalidArgument, "dataset index " + std::to_string(index) +
                                                " is past its " + std::to_string(keys_.size()) +
                                                " objects in " + store_->url());
  }
  return ObjectReader(store_, keys_[index], reader_);
}

}  // namespace ndbucket
