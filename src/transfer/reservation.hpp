// Reservation: bytes held in a ByteBudget by one item, given back when it goes out of scope.
#pragma once

#include <cstdint>

#include "transfer/worker_pool.hpp"

namespace ndbucket::transfer_detail {

class Reservation {
 public:
  explicit Reservation(ByteBudget& budget) : budget_(budget) {}
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() { release(); }

  // Reserves `bytes` more; false when cancelled first (nothing more is held then).
  bool acquire(std::uint64_t bytes) {
    if (!budget_.acquire(bytes)) return false;
    held_ += bytes;
    return true;
  }
  // Keeps only `bytes` (when an item turned out smaller than reserved).
  void shrink_to(std::uint64_t bytes) {
    if (bytes >= held_) return;
    budget_.release(held_ - bytes);
    held_ = bytes;
  }
  void release() { shrink_to(0); }

 private:
  ByteBudget& budget_;
  std::uint64_t held_ = 0;
};

}  // namespace ndbucket::transfer_detail
