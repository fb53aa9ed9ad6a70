// CancellationToken: how a caller asks a running transfer to stop.
#pragma once

#include <atomic>
#include <memory>

namespace ndbucket {

// A flag shared by every copy of the token: hand a copy to a transfer (TransferOptions::cancel)
// and call cancel() from any thread to stop it. Cancelling is permanent; make a new token for a
// new transfer.
// Thread safety: all methods may be called concurrently from any thread.
class CancellationToken {
 public:
  // A fresh token that is not cancelled.
  CancellationToken() : state_(std::make_shared<std::atomic<bool>>(false)) {}

  // Asks every transfer holding a copy of this token to stop. Idempotent; never throws.
  void cancel() const noexcept { state_->store(true, std::memory_order_release); }

  // Whether cancel() was called on this token or a copy of it.
  bool cancelled() const noexcept { return state_->load(std::memory_order_acquire); }

 private:
  std::shared_ptr<std::atomic<bool>> state_;
};

}  // namespace ndbucket
