// Parallel ranged download of one large object: the object is split into parts fetched with
// ranged GETs on a worker pool, straight into the caller's buffer or into a local file.
//
// Consistency: the first part's response pins the object's ETag; every later part must come back
// with the same ETag. If the object is replaced (or shrunk) while the download runs, the download
// fails with ErrorCode::Corrupt naming the key and both ETags; the result never mixes bytes of two
// versions (the caller's buffer may hold some bytes of either then, a destination file is left
// untouched). Retrying the download reads the new version.
//
// Thread safety: the functions may be called concurrently; one call's destination must not be
// touched by anyone else while it runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "ndbucket/store/object_store.hpp"
#include "ndbucket/transfer/transfer_options.hpp"

namespace ndbucket {

struct RangedDownloadOptions {
  // Bytes per ranged GET. 8 MiB is the part size S3 clients settle on (aws-c-s3, boto3's
  // TransferConfig): large enough that request overhead is small, small enough that 8 parts in
  // flight saturate a link without much memory. 0 is InvalidArgument.
  std::uint64_t part_size = std::uint64_t{8} << 20;
  // concurrency: parts fetched at once. memory_budget: part buffers of download_to_file (memory
  // downloads write into the destination and hold no buffers). progress: (bytes done, object
  // size). cancel: stops between parts; the download then fails with Unavailable.
  TransferOptions transfer{};
};

// Downloads the whole object `key` into `destination`, which must be exactly the object's size
// (head() it first). Returns the object's info (from the first part's response).
// Errors: NotFound; InvalidArgument (bad key or options, or a destination of the wrong size);
// Corrupt (the object changed during the download); Unavailable (retries ran out, or cancelled);
// PermissionDenied, Io.
ObjectInfo download_into(ObjectStore& store, std::string_view key, MutableByteSpan destination,
                         const RangedDownloadOptions& options = {});

// Downloads the whole object into a new buffer sized from the first part's response (no head()
// needed). Errors: as download_into, without the size mismatch.
GetResult download(ObjectStore& store, std::string_view key,
                   const RangedDownloadOptions& options = {});

// Downloads the whole object into the local file `path`: parts are written into a temporary file
// next to it (".<name>.ndbucket-<random>"), which is fsync'd and renamed over `path` only when
// every part arrived with the pinned ETag, so `path` holds the old file or the complete new one.
// On failure the temporary file is removed. Returns the object's info.
// Errors: as download; Io (or PermissionDenied) naming the local path when it cannot be written.
ObjectInfo download_to_file(ObjectStore& store, std::string_view key,
                            const std::filesystem::path& path,
                            const RangedDownloadOptions& options = {});

}  // namespace ndbucket
