// Dataset: the objects under a prefix, or a list of keys, handed out one ObjectReader at a time,
// optionally sharded across workers (s3torchconnector's S3IterableDataset / S3MapDataset).
//
// Sharding: with shard_count n, worker i (shard_index) gets the keys k with shard_of(k, n) == i.
// The assignment depends only on the key (a fixed 64-bit FNV-1a hash, the same on every platform
// and run), so the n workers together cover every key exactly once, and adding or removing other
// objects never moves a key from one worker to another.
//
// Thread safety: a Dataset is immutable after construction; its methods may be called
// concurrently. Each ObjectReader it hands out belongs to the caller (one thread at a time).
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ndbucket/store/object_store.hpp"
#include "ndbucket/transfer/object_reader.hpp"

namespace ndbucket {

struct DatasetOptions {
  ReaderOptions reader{};       // how every reader reads
  std::size_t shard_index = 0;  // this worker, in [0, shard_count)
  std::size_t shard_count = 1;  // workers sharing the dataset; 1 = no sharding
};

// The shard (in [0, shard_count)) that owns `key`. Errors: InvalidArgument for a shard_count of
// 0. Thread safety: pure.
std::size_t shard_of(std::string_view key, std::size_t shard_count);

class Dataset {
 public:
  // Every object whose key starts with `prefix` (listed once, now; this shard's keys in key
  // order). Errors: InvalidArgument (bad shard options), and as ObjectStore::list_pages.
  static Dataset from_prefix(std::shared_ptr<ObjectStore> store, std::string_view prefix,
                             DatasetOptions options = {});

  // The given keys, in the given order (duplicates kept). Keys are not checked here: a missing
  // or invalid one fails when its reader reads. Errors: InvalidArgument (bad shard options).
  static Dataset from_keys(std::shared_ptr<ObjectStore> store, std::vector<std::string> keys,
                           DatasetOptions options = {});

  // This shard's keys, in iteration order.
  const std::vector<std::string>& keys() const noexcept { return keys_; }
  std::size_t size() const noexcept { return keys_.size(); }

  // A reader of this shard's index-th key (map-style access); nothing is fetched yet.
  // Errors: InvalidArgument for an index past the end.
  ObjectReader reader(std::size_t index) const;

  // Iterates this shard's objects, yielding a fresh ObjectReader per key.
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = ObjectReader;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = ObjectReader;

    iterator() = default;
    ObjectReader operator*() const { return dataset_->reader(index_); }
    iterator& operator++() {
      ++index_;
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const iterator& other) const { return index_ == other.index_; }

   private:
    friend class Dataset;
    iterator(const Dataset* dataset, std::size_t index) : dataset_(dataset), index_(index) {}
    const Dataset* dataset_ = nullptr;
    std::size_t index_ = 0;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, keys_.size()}; }

 private:
  Dataset(std::shared_ptr<ObjectStore> store, std::vector<std::string> keys, ReaderOptions reader)
      : store_(std::move(store)), keys_(std::move(keys)), reader_(reader) {}

  std::shared_ptr<ObjectStore> store_;
  std::vector<std::string> keys_;
  ReaderOptions reader_;
};

}  // namespace ndbucket
