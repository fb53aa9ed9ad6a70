// Pieces every CLI command file uses: time and JSON formatting, local files in and out.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/args.hpp"
#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/mapped_file.hpp"
#include "ndbucket/store/object_store.hpp"
#include "ndbucket/store/open_store.hpp"

namespace ndbucket::cli {

// "2026-11-23T10:00:00Z".
std::string iso_time(std::chrono::system_clock::time_point time);

// {key, size, etag, last_modified[, content_type, metadata]}.
nlohmann::json info_json(const ObjectInfo& info, bool with_metadata);

// Whether a command draws a progress bar: not with --quiet or --json (ProgressBar itself also
// stays silent when stderr is not a terminal).
inline bool progress_wanted(const Args& args) { return !args.flag("quiet") && !args.flag("json"); }

// Throws the Error for a failed local file operation.
[[noreturn]] void fail_local(int err, const std::string& action, const std::string& path);

// A local file (or stdin for "-") as bytes: a file is mapped, not copied.
class LocalInput {
 public:
  explicit LocalInput(const std::string& path);
  ByteSpan bytes() const { return bytes_; }

 private:
  Bytes buffer_;
  std::optional<MappedFile> file_;
  ByteSpan bytes_;
};

// Writes bytes to stdout ("-"), or to a local file through a temporary file and a rename, so an
// interrupted download never leaves a truncated file under the final name.
void write_local(const std::string& path, ByteSpan bytes);

// How read-only commands open stores: a missing local directory is an error, never created.
inline OpenOptions reading() { return {.create = false, .file = {}}; }

// True for URLs of remote stores (s3://, mem://); plain paths and file:// name local files.
bool is_store_url(std::string_view argument);

}  // namespace ndbucket::cli
