// A decorator that counts the requests (and body bytes) going to the store it wraps, by kind and
// by key: how the tests prove that a region read fetches only the chunks it needs, and how the
// benchmark reports requests and bytes.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ndbucket/store/object_store.hpp"

namespace ndbucket::testing {

class CountingStore final : public ObjectStore {
 public:
  explicit CountingStore(std::shared_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override {
    count("put", key, body.size());
    return inner_->put(key, body, options);
  }
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override {
    try {
      GetResult result = inner_->get(key, range);
      count("get", key, result.body.size());
      return result;
    } catch (...) {
      count("get", key, 0);
      throw;
    }
  }
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override {
    count("get", key, destination.size());
    return inner_->get_into(key, destination, range);
  }
  std::optional<ObjectInfo> head(std::string_view key) override {
    count("head", key, 0);
    return inner_->head(key);
  }
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override {
    count("list", prefix, 0);
    inner_->list_pages(prefix, options, on_page);
  }
  void remove(std::string_view key) override {
    count("remove", key, 0);
    inner_->remove(key);
  }
  ObjectInfo copy(std::string_view source, std::string_view destination) override {
    count("copy", source, 0);
    return inner_->copy(source, destination);
  }
  std::string url() const override { return inner_->url(); }
  StoreCapabilities capabilities() const override { return inner_->capabilities(); }

  // Requests of `kind` ("get", "put", "head", "list", "remove") so far.
  std::size_t requests(const std::string& kind) const {
    std::lock_guard guard(mutex_);
    auto it = by_kind_.find(kind);
    return it == by_kind_.end() ? 0 : it->second;
  }
  // Keys read by get/get_into, with how often.
  std::map<std::string, std::size_t> keys_read() const {
    std::lock_guard guard(mutex_);
    return gets_;
  }
  std::uint64_t bytes_read() const {
    std::lock_guard guard(mutex_);
    return bytes_read_;
  }
  void reset() {
    std::lock_guard guard(mutex_);
    by_kind_.clear();
    gets_.clear();
    bytes_read_ = 0;
  }

 private:
  void count(const char* kind, std::string_view key, std::size_t bytes) {
    std::lock_guard guard(mutex_);
    ++by_kind_[kind];
    if (std::string_view(kind) == "get") {
      ++gets_[std::string(key)];
      bytes_read_ += bytes;
    }
  }

  std::shared_ptr<ObjectStore> inner_;
  mutable std::mutex mutex_;
  // Guarded by mutex_.
  std::map<std::string, std::size_t> by_kind_;
  std::map<std::string, std::size_t> gets_;
  std::uint64_t bytes_read_ = 0;
};

}  // namespace ndbucket::testing
