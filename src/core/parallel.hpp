// Runs work items on a few threads (internal: multipart parts, recursive copies, directory
// transfers).
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ndbucket::detail {

// Calls work(i) for i in [0, count) on up to `concurrency` threads (the caller's among them).
// After the first exception no new item starts; it is rethrown once all threads stopped.
inline void for_each_parallel(std::size_t count, int concurrency,
                              const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr first_error;  // guarded by error_mutex
  auto worker = [&] {
    while (!failed) {
      std::size_t i = next++;
      if (i >= count) return;
      try {
        work(i);
      } catch (...) {
        std::lock_guard guard(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  std::size_t threads = std::min<std::size_t>(count, concurrency < 1 ? 1 : concurrency);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace ndbucket::detail
