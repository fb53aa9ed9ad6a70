// A thread-safe pool of compression contexts (internal).
//
// Creating a zstd, deflate or xz context costs allocations (an xz preset-6 encoder is ~94 MiB of
// tables), so each codec keeps the contexts its finished calls released and hands them to the next
// call. A Lease owns its context exclusively; the pool is shared so that streaming decoders may
// outlive the codec that made them.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace ndbucket::codec_detail {

template <class T>
class ContextPool {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;

  class Lease {
   public:
    Lease(std::shared_ptr<ContextPool> pool, std::unique_ptr<T> context)
        : pool_(std::move(pool)), context_(std::move(context)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (pool_ && context_) pool_->release(std::move(context_));
    }

    T& operator*() const noexcept { return *context_; }
    T* operator->() const noexcept { return context_.get(); }
    T* get() const noexcept { return context_.get(); }

    // Drops the context instead of returning it, for one whose state can no longer be trusted.
    void discard() noexcept { context_.reset(); }

   private:
    std::shared_ptr<ContextPool> pool_;
    std::unique_ptr<T> context_;
  };

  // `max_idle` bounds the memory kept by a pool after a burst of concurrent calls.
  static std::shared_ptr<ContextPool> create(Factory factory, std::size_t max_idle) {
    return std::shared_ptr<ContextPool>(new ContextPool(std::move(factory), max_idle));
  }

  static Lease acquire(const std::shared_ptr<ContextPool>& pool) {
    {
      std::lock_guard lock(pool->mutex_);
      if (!pool->idle_.empty()) {
        std::unique_ptr<T> context = std::move(pool->idle_.back());
        pool->idle_.pop_back();
        return Lease(pool, std::move(context));
      }
    }
    // Created outside the lock: factories allocate and may throw.
    return Lease(pool, pool->factory_());
  }

 private:
  ContextPool(Factory factory, std::size_t max_idle)
      : factory_(std::move(factory)), max_idle_(max_idle) {}

  void release(std::unique_ptr<T> context) noexcept {
    std::unique_ptr<T> surplus;  // destroyed after the lock is released
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) {
      try {
        idle_.push_back(std::move(context));
        return;
      } catch (...) {
      }
    }
    surplus = std::move(context);
  }

  Factory factory_;
  std::size_t max_idle_;
  std::mutex mutex_;  // guards idle_
  std::vector<std::unique_ptr<T>> idle_;
};

// How many idle contexts a pool keeps: one per hardware thread, at least 2.
std::size_t default_pool_size() noexcept;

}  // namespace ndbucket::codec_detail
