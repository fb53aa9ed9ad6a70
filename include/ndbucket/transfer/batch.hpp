// Batch transfers over any ObjectStore: many gets, puts and heads at once, and recursive
// listings of several prefixes, run on a small worker pool (TransferOptions::concurrency threads,
// never one per item) within a memory budget, with progress and cancellation.
//
// Every function returns one result per request, in request order; a failed item carries its own
// ndbucket::Error and never stops the others. Only bad options (concurrency or memory_budget of
// 0) throw, as InvalidArgument, before anything starts.
//
// Thread safety: the functions may be called concurrently (the store is shared); each call's
// requests and options must not change while it runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ndbucket/store/object_store.hpp"
#include "ndbucket/transfer/transfer_options.hpp"

namespace ndbucket {

// What get_many fetches: a whole object (key only) or `length` bytes from `offset`
// (Metaflow's S3GetObject). A length running past the end is cut there; an offset at or past the
// end is that item's InvalidArgument, as in ObjectStore::get.
struct GetRequest {
  std::string key;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;  // nullopt: to the end of the object

  GetRequest(std::string k) : key(std::move(k)) {}  // NOLINT: a key is a whole-object request
  GetRequest(const char* k) : key(k) {}             // NOLINT
  GetRequest(std::string k, std::uint64_t off, std::optional<std::uint64_t> len)
      : key(std::move(k)), offset(off), length(len) {}

  // Whether this asks for the whole object.
  bool whole() const { return offset == 0 && !length; }
};

// One get_many result.
struct GetItem {
  std::string key;
  // True when the object was read. False when it is missing (error is NotFound unless
  // return_missing) or when the item failed.
  bool exists = false;
  Bytes body;                // the object, or the requested range of it
  std::uint64_t offset = 0;  // where body starts in the object
  ObjectInfo info;           // info.size is the whole object's size, not the range's
  std::optional<Error> error;

  bool ok() const { return !error.has_value(); }
};

// Fetches every request; results in request order. Bytes held by the returned vector are the
// caller's and do not count against memory_budget, so to keep memory bounded over many objects
// use get_many_each. Whole-object requests cost one request when the object is at most the probe
// size (memory_budget / concurrency, clamped to [64 KiB, 8 MiB] and to the budget); a larger
// object is fetched again in full once its size is known (the probe's bytes are dropped so the
// budget is never exceeded).
// Errors (per item): NotFound (unless return_missing), InvalidArgument, PermissionDenied, Io,
// Unavailable (also: cancelled before the item finished). Throws InvalidArgument for bad options.
std::vector<GetItem> get_many(ObjectStore& store, const std::vector<GetRequest>& requests,
                              const TransferOptions& options = {});

// Streaming get_many: calls on_item(index, item) as each item finishes, in completion order
// (`index` is its position in `requests`). The item's bytes count against memory_budget until
// on_item returns; move item.body out to keep it. Calls are serialized but come from worker
// threads. An exception thrown by on_item cancels the transfer and is rethrown by get_many_each
// after the workers stop. Errors: as get_many.
void get_many_each(ObjectStore& store, const std::vector<GetRequest>& requests,
                   const TransferOptions& options,
                   const std::function<void(std::size_t index, GetItem& item)>& on_item);

// What put_many uploads. The body is the caller's memory: it must stay valid until put_many
// returns (nothing is copied by the transfer layer).
struct PutRequest {
  std::string key;
  ByteSpan body;
  PutOptions options{};
};

// One put_many result: the stored object's info, or the error.
struct PutItem {
  std::string key;
  ObjectInfo info;
  std::optional<Error> error;

  bool ok() const { return !error.has_value(); }
};

// Uploads every request; results in request order. memory_budget bounds the sum of the sizes of
// bodies being uploaded at once (a store may buffer a body while sending it). Progress total is
// the sum of all body sizes. Errors (per item): as ObjectStore::put; Unavailable when cancelled.
std::vector<PutItem> put_many(ObjectStore& store, const std::vector<PutRequest>& requests,
                              const TransferOptions& options = {});

// One head_many result.
struct HeadItem {
  std::string key;
  bool exists = false;  // false: missing (error NotFound unless return_missing) or failed
  ObjectInfo info;
  std::optional<Error> error;

  bool ok() const { return !error.has_value(); }
};

// Heads every key; results in request order. Progress counts items (done, total keys), as heads
// move no body bytes. Errors (per item): NotFound (unless return_missing), as ObjectStore::head,
// Unavailable when cancelled.
std::vector<HeadItem> head_many(ObjectStore& store, const std::vector<std::string>& keys,
                                const TransferOptions& options = {});

// Lists every object under each prefix (no delimiter: the whole subtree), the prefixes listed in
// parallel. Returns the objects prefix by prefix, in the order the prefixes were given, each
// prefix's objects in key order; an object under two of the prefixes appears twice, as Metaflow
// does. Errors: the first failing prefix's error (in prefix order) is thrown after every listing
// stopped; Unavailable when cancelled. memory_budget does not apply (listings hold no bodies);
// progress counts prefixes (listed, total).
std::vector<ObjectInfo> list_recursive(ObjectStore& store, const std::vector<std::string>& prefixes,
                                       const TransferOptions& options = {});

}  // namespace ndbucket
