// Internal helpers shared by the transfer strategies: the worker pool, the memory budget and the
// progress reporter.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

#include "ndbucket/core/error.hpp"
#include "ndbucket/store/object_store.hpp"
#include "ndbucket/transfer/transfer_options.hpp"

namespace ndbucket::transfer_detail {

// Runs task(i) for every i in [0, count) on min(concurrency, count) threads, the calling thread
// being one of them; indices are handed out in increasing order. If a task throws, no further
// index is handed out and the first exception is rethrown once every thread has stopped.
void run_parallel(std::size_t count, std::size_t concurrency,
                  const std::function<void(std::size_t)>& task);

// Throws InvalidArgument (naming `what`) for a concurrency or memory budget of 0.
void check_options(const TransferOptions& options, std::string_view what);

// The error an item reports when the transfer was cancelled before it finished.
Error cancelled_error(const ObjectStore& store, std::string_view key);

// A counting semaphore over bytes. acquire blocks until the bytes fit under the limit, or until
// nothing at all is held (so an item larger than the limit runs alone instead of never).
class ByteBudget {
 public:
  ByteBudget(std::uint64_t limit, CancellationToken cancel) : limit_(limit), cancel_(cancel) {}

  // False when the token was cancelled before the bytes could be reserved.
  bool acquire(std::uint64_t bytes);
  void release(std::uint64_t bytes);

 private:
  const std::uint64_t limit_;
  const CancellationToken cancel_;
  std::mutex mutex_;
  std::condition_variable freed_;
  // Guarded by mutex_.
  std::uint64_t in_use_ = 0;
};

// Serializes progress calls and swallows the callback's exceptions (a progress bar must not fail
// a transfer).
class ProgressReporter {
 public:
  ProgressReporter(const ProgressCallback& callback, std::uint64_t total)
      : callback_(callback), total_(total) {}

  void add_total(std::uint64_t bytes);
  void add_done(std::uint64_t bytes);
  // Adds to both and reports once.
  void add(std::uint64_t done, std::uint64_t total);

 private:
  const ProgressCallback& callback_;
  std::mutex mutex_;
  // Guarded by mutex_.
  std::uint64_t done_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace ndbucket::transfer_detail
