#include "ndbucket/transfer/batch.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>

#include "transfer/reservation.hpp"
#include "transfer/worker_pool.hpp"

namespace ndbucket {
namespace {

using transfer_detail::ByteBudget;
using transfer_detail::cancelled_error;
using transfer_detail::ProgressReporter;
using transfer_detail::Reservation;

// How many bytes a whole-object get asks for first. A share of the budget per worker lets every
// worker probe at once; 8 MiB caps it at the part size S3 clients use, 64 KiB keeps a tiny
// budget from turning every small object into two requests.
std::uint64_t probe_size(const TransferOptions& options) {
  std::uint64_t share = options.memory_budget / options.concurrency;
  share = std::clamp<std::uint64_t>(share, 64 << 10, 8 << 20);
  return std::min(share, options.memory_budget);
}

void fetch(ObjectStore& store, const GetRequest& request, std::uint64_t probe, Reservation& held,
           ProgressReporter& progress, GetItem& item) {
  if (request.length) {
    // A zero length is the store's InvalidArgument; it needs no memory.
    if (*request.length > 0 && !held.acquire(*request.length)) {
      throw cancelled_error(store, request.key);
    }
    progress.add_total(*request.length);
    GetResult result = store.get(request.key, ByteRange::span(request.offset, *request.length));
    held.shrink_to(result.body.size());
    item.body = std::move(result.body);
    item.info = std::move(result.info);
    item.exists = true;
    return;
  }

  if (!held.acquire(probe)) throw cancelled_error(store, request.key);
  GetResult first;
  try {
    first = store.get(request.key, ByteRange::span(request.offset, probe));
  } catch (const Error& error) {
    // S3 answers any range of an empty object with 416, yet reading a whole empty object is fine.
    if (error.code() != ErrorCode::InvalidArgument || !request.whole()) throw;
    std::optional<ObjectInfo> info = store.head(request.key);
    if (!info) throw Error(ErrorCode::NotFound, "no object " + store.describe(request.key));
    if (info->size != 0) throw;
    held.release();
    item.info = std::move(*info);
    item.exists = true;
    return;
  }
  std::uint64_t size = first.info.size;
  std::uint64_t wanted = size > request.offset ? size - request.offset : 0;
  if (first.body.size() >= wanted) {
    held.shrink_to(first.body.size());
    progress.add_total(first.body.size());
    item.body = std::move(first.body);
    item.info = std::move(first.info);
    item.exists = true;
    return;
  }
  // Larger than the probe: drop the probe's bytes before reserving the whole size, so waiting
  // items hold nothing (no deadlock) and the budget is never exceeded. Costs one extra request
  // for large objects only.
  first.body = Bytes();
  held.release();
  progress.add_total(wanted);
  if (!held.acquire(wanted)) throw cancelled_error(store, request.key);
  GetResult rest = store.get(request.key, ByteRange::span(request.offset, wanted));
  held.shrink_to(rest.body.size());
  item.body = std::move(rest.body);
  item.info = std::move(rest.info);
  item.exists = true;
}

}  // namespace

void get_many_each(ObjectStore& store, const std::vector<GetRequest>& requests,
                   const TransferOptions& options,
                   const std::function<void(std::size_t index, GetItem& item)>& on_item) {
  transfer_detail::check_options(options, "get_many");
  ByteBudget budget(options.memory_budget, options.cancel);
  ProgressReporter progress(options.progress, 0);
  const std::uint64_t probe = probe_size(options);
  std::mutex deliver_mutex;
  std::atomic<bool> caller_failed{false};

  transfer_detail::run_parallel(requests.size(), options.concurrency, [&](std::size_t index) {
    const GetRequest& request = requests[index];
    Reservation held(budget);
    GetItem item;
    item.key = request.key;
    item.offset = request.offset;
    if (options.cancel.cancelled() || caller_failed) {
      item.error = cancelled_error(store, request.key);
    } else {
      try {
        fetch(store, request, probe, held, progress, item);
      } catch (const Error& error) {
        item.error = error;
        item.exists = false;
      } catch (const std::exception& error) {
        item.error = Error(ErrorCode::Io, "reading " + store.describe(request.key) + ": " +
                                              std::string(error.what()));
        item.exists = false;
      }
    }
    if (item.error && item.error->code() == ErrorCode::NotFound && options.return_missing) {
      item.error.reset();
    }
    std::uint64_t delivered = item.body.size();
    {
      std::lock_guard lock(deliver_mutex);
      if (caller_failed) return;
      try {
        on_item(index, item);
      } catch (...) {
        caller_failed = true;
        throw;
      }
    }
    progress.add_done(delivered);
  });
}

std::vector<GetItem> get_many(ObjectStore& store, const std::vector<GetRequest>& requests,
                              const TransferOptions& options) {
  std::vector<GetItem> results(requests.size());
  get_many_each(store, requests, options,
                [&](std::size_t index, GetItem& item) { results[index] = std::move(item); });
  return results;
}

std::vector<PutItem> put_many(ObjectStore& store, const std::vector<PutRequest>& requests,
                              const TransferOptions& options) {
  transfer_detail::check_options(options, "put_many");
  ByteBudget budget(options.memory_budget, options.cancel);
  std::uint64_t total = 0;
  for (const PutRequest& request : requests) total += request.body.size();
  ProgressReporter progress(options.progress, total);
  std::vector<PutItem> results(requests.size());

  transfer_detail::run_parallel(requests.size(), options.concurrency, [&](std::size_t index) {
    const PutRequest& request = requests[index];
    PutItem& item = results[index];
    item.key = request.key;
    Reservation held(budget);
    if (options.cancel.cancelled() || !held.acquire(request.body.size())) {
      item.error = cancelled_error(store, request.key);
      return;
    }
    try {
      item.info = store.put(request.key, request.body, request.options);
    } catch (const Error& error) {
      item.error = error;
      return;
    } catch (const std::exception& error) {
      item.error = Error(ErrorCode::Io, "writing " + store.describe(request.key) + ": " +
                                            std::string(error.what()));
      return;
    }
    progress.add_done(request.body.size());
  });
  return results;
}

std::vector<HeadItem> head_many(ObjectStore& store, const std::vector<std::string>& keys,
                                const TransferOptions& options) {
  transfer_detail::check_options(options, "head_many");
  ProgressReporter progress(options.progress, keys.size());
  std::vector<HeadItem> results(keys.size());

  transfer_detail::run_parallel(keys.size(), options.concurrency, [&](std::size_t index) {
    HeadItem& item = results[index];
    item.key = keys[index];
    if (options.cancel.cancelled()) {
      item.error = cancelled_error(store, item.key);
      return;
    }
    try {
      std::optional<ObjectInfo> info = store.head(item.key);
      if (info) {
        item.info = std::move(*info);
        item.exists = true;
      } else if (!options.return_missing) {
        item.error = Error(ErrorCode::NotFound, "no object " + store.describe(item.key));
      }
    } catch (const Error& error) {
      item.error = error;
    } catch (const std::exception& error) {
      item.error = Error(ErrorCode::Io, "reading the info of " + store.describe(item.key) + ": " +
                                            std::string(error.what()));
    }
    progress.add_done(1);
  });
  return results;
}

std::vector<ObjectInfo> list_recursive(ObjectStore& store, const std::vector<std::string>& prefixes,
                                       const TransferOptions& options) {
  transfer_detail::check_options(options, "list_recursive");
  ProgressReporter progress(options.progress, prefixes.size());
  std::vector<std::vector<ObjectInfo>> listed(prefixes.size());
  std::vector<std::optional<Error>> errors(prefixes.size());

  transfer_detail::run_parallel(prefixes.size(), options.concurrency, [&](std::size_t index) {
    bool stopped = false;
    try {
      if (options.cancel.cancelled()) {
        stopped = true;
      } else {
        store.list_pages(prefixes[index], {}, [&](ListPage& page) {
          std::move(page.objects.begin(), page.objects.end(), std::back_inserter(listed[index]));
          stopped = options.cancel.cancelled();
          return !stopped;
        });
      }
    } catch (const Error& error) {
      errors[index] = error;
    }
    if (stopped && !errors[index]) errors[index] = cancelled_error(store, prefixes[index]);
    progress.add_done(1);
  });

  std::vector<ObjectInfo> objects;
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    if (errors[i]) throw *errors[i];
  }
  for (auto& part : listed) std::move(part.begin(), part.end(), std::back_inserter(objects));
  return objects;
}

}  // namespace ndbucket
