// Helpers shared by the transfer tests: the stores each suite runs on, a forwarding decorator
// tests subclass to watch or disturb requests, and deterministic test bytes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ndbucket/store/object_store.hpp"
#include "ndbucket/store/object_upload.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {

// A store the transfer suites run on: "memory", "file" or "rgw".
struct Backend {
  std::string name;
  std::function<std::shared_ptr<ObjectStore>()> make;
};

// The backends of this test binary (local ones, or the S3 servers); defined per binary.
std::vector<Backend> transfer_backends();

// Names the backend in test names and ctest output (instead of dumping the struct's bytes).
inline void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// Raises `peak` to `value` if it is higher.
inline void raise_peak(std::atomic<std::int64_t>& peak, std::int64_t value) {
  std::int64_t seen = peak.load();
  while (value > seen && !peak.compare_exchange_weak(seen, value)) {
  }
}

// Forwards every call to the wrapped store; tests override what they watch.
class ForwardingStore : public ObjectStore {
 public:
  explicit ForwardingStore(std::shared_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override {
    return inner_->put(key, body, options);
  }
  std::unique_ptr<ObjectUpload> begin_upload(std::string_view key,
                                             const PutOptions& options = {}) override {
    return inner_->begin_upload(key, options);
  }
  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override {
    return inner_->get(key, range);
  }
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override {
    return inner_->get_into(key, destination, range);
  }
  std::optional<ObjectInfo> head(std::string_view key) override { return inner_->head(key); }
  void list_pages(std::string_view prefix, const ListOptions& options,
                  const std::function<bool(ListPage&)>& on_page) override {
    inner_->list_pages(prefix, options, on_page);
  }
  void remove(std::string_view key) override { inner_->remove(key); }
  ObjectInfo copy(std::string_view source, std::string_view destination) override {
    return inner_->copy(source, destination);
  }
  std::string url() const override { return inner_->url(); }
  StoreCapabilities capabilities() const override { return inner_->capabilities(); }

  ObjectStore& inner() { return *inner_; }

 private:
  std::shared_ptr<ObjectStore> inner_;
};

// Counts requests running at once (get, get_into, head, put) and the most seen, optionally
// holding each request for a while so that they overlap.
class CountingStore : public ForwardingStore {
 public:
  CountingStore(std::shared_ptr<ObjectStore> inner, std::chrono::milliseconds hold = {})
      : ForwardingStore(std::move(inner)), hold_(hold) {}

  GetResult get(std::string_view key, const std::optional<ByteRange>& range = {}) override {
    Enter enter(*this);
    return ForwardingStore::get(key, range);
  }
  ObjectInfo get_into(std::string_view key, MutableByteSpan destination,
                      const std::optional<ByteRange>& range = {}) override {
    Enter enter(*this);
    return ForwardingStore::get_into(key, destination, range);
  }
  std::optional<ObjectInfo> head(std::string_view key) override {
    Enter enter(*this);
    return ForwardingStore::head(key);
  }
  ObjectInfo put(std::string_view key, ByteSpan body, const PutOptions& options = {}) override {
    Enter enter(*this);
    return ForwardingStore::put(key, body, options);
  }

  std::int64_t max_in_flight() const { return max_in_flight_; }
  std::int64_t calls() const { return calls_; }

 private:
  struct Enter {
    explicit Enter(CountingStore& s) : store(s) {
      ++store.calls_;
      raise_peak(store.max_in_flight_, ++store.in_flight_);
      if (store.hold_.count() > 0) std::this_thread::sleep_for(store.hold_);
    }
    ~Enter() { --store.in_flight_; }
    CountingStore& store;
  };
  std::chrono::milliseconds hold_;
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> max_in_flight_{0};
  std::atomic<std::int64_t> calls_{0};
};

}  // namespace ndbucket::testing
