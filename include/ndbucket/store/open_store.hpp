// Opening a store, or an object in a store, from a URL.
//
//   file:///abs/path, /abs/path, rel/path   a FileStore (see below for which directory is the root)
//   mem://name[/prefix]                     a new, empty MemoryStore labelled `name`
//   s3://[ACCESS:SECRET@]bucket[/prefix][?endpoint=...&region=...]   an S3 bucket (see
//                                           parse_s3_url in s3_store.hpp for the parameters)
//
// A store opened at a URL with a path is rooted there: open_store("mem://m/run1")->get("x")
// reads "run1/x" of store "m". For local paths the FileStore root is found the way git finds
// its repository: the nearest enclosing directory (the path itself included) holding a
// ".ndbucket" folder; without one the path itself becomes the root. So "/data/store/run1" opens
// the store at /data/store (if that holds .ndbucket) under the prefix "run1", and the metadata
// written through either URL is the same.
//
// mem:// stores are not shared: every call returns a fresh store (no global state). Share the
// returned pointer to share the data.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket {

struct OpenOptions {
  // Create a missing local root directory (writers want this; readers may prefer NotFound).
  bool create = true;
  FileStoreOptions file;
};

// Opens the store rooted at `url`. Errors: InvalidArgument (malformed URL, unknown scheme),
// NotFound (missing local root with create = false), Unsupported (a scheme this build lacks),
// PermissionDenied, Io. Thread safety: may be called concurrently.
std::shared_ptr<ObjectStore> open_store(std::string_view url, const OpenOptions& options = {});

// A URL naming one object, split into the store holding it and its key there.
struct ObjectLocation {
  std::shared_ptr<ObjectStore> store;
  std::string key;
};

// Opens the store of the object `url` names: the store at the URL's parent and the last path
// segment as key ("s3://b/run1/x" -> store "s3://b/run1", key "x"). Errors: as open_store, and
// InvalidArgument when the URL names no object (a bucket, a store root, a trailing '/').
ObjectLocation open_object(std::string_view url, const OpenOptions& options = {});

// The URL with any user info (which may hold credentials) replaced by "***", for messages.
// Thread safety: pure.
std::string redact_url(std::string_view url);

// Percent-decodes a URL path component ("%20" -> " "). Errors: InvalidArgument for a bad escape.
// Thread safety: pure.
std::string percent_decode(std::string_view text);

}  // namespace ndbucket
