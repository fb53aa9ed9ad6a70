// TransferOptions: the knobs every transfer (get_many, put_many, head_many, list_recursive,
// ranged downloads) shares: how many requests run at once, how many bytes may be in flight,
// progress reporting and cancellation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "ndbucket/transfer/cancellation.hpp"

namespace ndbucket {

// Called with (bytes done, bytes total). For transfers whose sizes are learned as they go
// (get_many), `total` grows as each item's size becomes known and is final on the last call, when
// done == total. Calls are serialized (never two at once) but come from worker threads; the
// callback must not call back into the same transfer. An exception it throws is swallowed.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct TransferOptions {
  // Most store requests running at once; the worker pool has this many threads (the calling
  // thread is one of them). 8 matches S3Store's multipart concurrency: enough to hide request
  // latency on a LAN or in-region, small enough not to trip S3's per-prefix throttling.
  // 0 is InvalidArgument.
  std::size_t concurrency = 8;

  // Most bytes of object bodies the transfer holds in its own buffers at once: bodies downloaded
  // but not yet handed to the caller (get_many), parts being fetched (ranged downloads into a
  // file), bodies being uploaded (put_many, counted by their size). Bytes the caller keeps after
  // a result is handed over, and the caller's own destination buffer, do not count. A single item
  // larger than the whole budget waits until nothing else is in flight and then runs alone, so
  // the peak is max(memory_budget, largest item). 256 MiB = 8 workers x 32 MiB: room for every
  // worker to hold a large part. 0 is InvalidArgument.
  std::uint64_t memory_budget = std::uint64_t{256} << 20;

  // Progress reports; empty for none.
  ProgressCallback progress;

  // Cancel the transfer from another thread (or from the progress callback). Requests already
  // running finish (store calls are not interrupted); no new request starts, and every item not
  // finished reports ErrorCode::Unavailable with a message saying it was cancelled.
  CancellationToken cancel;

  // get_many / head_many: a missing key comes back with exists == false and no error (as
  // Metaflow's return_missing). When false, a missing key is that item's NotFound error.
  bool return_missing = false;
};

}  // namespace ndbucket
