#include "transfer/worker_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace ndbucket::transfer_detail {

void run_parallel(std::size_t count, std::size_t concurrency,
                  const std::function<void(std::size_t)>& task) {
  if (count == 0) return;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  auto work = [&] {
    while (!failed.load(std::memory_order_relaxed)) {
      std::size_t index = next.fetch_add(1);
      if (index >= count) return;
      try {
        task(index);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  std::size_t threads = std::min(concurrency, count);
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t i = 1; i < threads; ++i) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // out of threads: the ones running (at least the caller) still drain the queue
    }
  }
  work();
  for (auto& thread : pool) thread.join();
  if (first_error) std::rethrow_exception(first_error);
}

void check_options(const TransferOptions& options, std::string_view what) {
  if (options.concurrency == 0) {
    throw Error(ErrorCode::InvalidArgument,
                std::string(what) + ": TransferOptions::concurrency must be at least 1");
  }
  if (options.memory_budget == 0) {
    throw Error(ErrorCode::InvalidArgument,
                std::string(what) + ": TransferOptions::memory_budget must be at least 1 byte");
  }
}

Error cancelled_error(const ObjectStore& store, std::string_view key) {
  return Error(ErrorCode::Unavailable,
               "transfer cancelled before " + store.describe(key) + " finished");
}

bool ByteBudget::acquire(std::uint64_t bytes) {
  std::unique_lock lock(mutex_);
  while (!(in_use_ == 0 || in_use_ + bytes <= limit_)) {
    if (cancel_.cancelled()) return false;
    // cancel() cannot notify this condition variable, so poll it: 20 ms keeps a cancelled
    // transfer prompt without busy waiting.
    freed_.wait_for(lock, std::chrono::milliseconds(20));
  }
  if (cancel_.cancelled()) return false;
  in_use_ += bytes;
  return true;
}

void ByteBudget::release(std::uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    in_use_ -= std::min(bytes, in_use_);
  }
  freed_.notify_all();
}

void ProgressReporter::add_total(std::uint64_t bytes) { add(0, bytes); }

void ProgressReporter::add_done(std::uint64_t bytes) { add(bytes, 0); }

void ProgressReporter::add(std::uint64_t done, std::uint64_t total) {
  std::lock_guard lock(mutex_);
  done_ += done;
  total_ += total;
  if (!callback_) return;
  try {
    callback_(done_, total_);
  } catch (...) {
    // A failing progress display must not fail the transfer.
  }
}

}  // namespace ndbucket::transfer_detail
