// cat, put, get, info: the single-object ObjectStore operations, one command each.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/progress_bar.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/store/open_store.hpp"
#include "ndbucket/transfer/object_writer.hpp"
#include "ndbucket/transfer/ranged_download.hpp"

namespace ndbucket::cli {

namespace {

std::optional<ByteRange> range_from(const Args& args) {
  auto offset = args.option("offset");
  auto length = args.option("length");
  if (!offset && !length) return std::nullopt;
  auto number = [](const std::string& name, const std::string& text) {
    std::size_t used = 0;
    unsigned long long value = 0;
    try {
      value = std::stoull(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || text.empty() || text[0] == '-') {
      throw UsageError("--" + name + " needs a non-negative integer, got '" + text + "'");
    }
    return static_cast<std::uint64_t>(value);
  };
  ByteRange range = ByteRange::from(offset ? number("offset", *offset) : 0);
  if (length) range.length = number("length", *length);
  return range;
}

int run_cat(const Args& args) {
  args.expect_positionals(1, 1);
  ObjectLocation location = open_object(args.positionals()[0], reading());
  GetResult result = location.store->get(location.key, range_from(args));
  write_local("-", result.body);
  return 0;
}

int run_get(const Args& args) {
  args.expect_positionals(2, 2);
  ObjectLocation location = open_object(args.positionals()[0], reading());
  const std::string& target = args.positionals()[1];
  std::optional<ByteRange> range = range_from(args);
  if (range || target == "-") {
    GetResult result = location.store->get(location.key, range);
    write_local(target, result.body);
    return 0;
  }
  // A whole object to a file: parallel ranged GETs pinned to one ETag, into a temporary file.
  ProgressBar bar("get", progress_wanted(args));
  RangedDownloadOptions options;
  options.transfer.progress = [&bar](std::uint64_t done, std::uint64_t total) {
    bar.update(done, total);
  };
  download_to_file(*location.store, location.key, target, options);
  return 0;
}

// Pieces handed to the writer: S3Store's part size, so each write fills about one part.
constexpr std::size_t kPutPiece = std::size_t{8} << 20;

int run_put(const Args& args) {
  args.expect_positionals(2, 2);
  WriterOptions options;
  for (const std::string& pair : args.options("metadata")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("--metadata needs NAME=VALUE, got '" + pair + "'");
    }
    options.put.metadata[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  if (auto type = args.option("content-type")) options.put.content_type = *type;
  const std::string& source = args.positionals()[0];
  ObjectLocation location = open_object(args.positionals()[1]);
  ProgressBar bar("put", progress_wanted(args));
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  ObjectInfo info;
  if (source == "-") {
    // Streamed: standard input may be far larger than memory.
    info = upload_stream(std::cin, location.store, location.key, options, kPutPiece);
  } else {
    MappedFile file(source);
    ByteSpan rest = file.bytes();
    options.expected_size = rest.size();
    ObjectWriter writer(location.store, location.key, options);
    while (!rest.empty()) {
      ByteSpan piece = rest.first(std::min(rest.size(), kPutPiece));
      writer.write(piece);
      rest = rest.subspan(piece.size());
    }
    info = writer.close();
  }
  if (!args.flag("quiet")) {
    std::cerr << "put " << info.size << " bytes to " << location.store->describe(location.key)
              << "\n";
  }
  return 0;
}

int run_info(const Args& args) {
  args.expect_positionals(1, 1);
  ObjectLocation location = open_object(args.positionals()[0], reading());
  std::optional<ObjectInfo> info = location.store->head(location.key);
  if (!info) {
    throw Error(ErrorCode::NotFound, "no object at " + location.store->describe(location.key));
  }
  if (args.flag("json")) {
    nlohmann::json doc = info_json(*info, true);
    doc["url"] = location.store->describe(location.key);
    std::cout << doc.dump(2) << "\n";
    return 0;
  }
  std::cout << "url:           " << location.store->describe(location.key) << "\n"
            << "size:          " << info->size << "\n"
            << "etag:          " << info->etag << "\n"
            << "last modified: " << iso_time(info->last_modified) << "\n"
            << "content type:  " << info->content_type << "\n";
  for (const auto& [name, value] : info->metadata) {
    std::cout << "metadata:      " << name << "=" << value << "\n";
  }
  return 0;
}

}  // namespace

std::vector<Command> object_commands() {
  return {
      {"cat",
       "print an object to standard output",
       "usage: ndbucket cat URL [--offset N] [--length N]\n"
       "Writes the object's bytes (or the byte range given) to standard output.",
       {{}, {"offset", "length"}, {}},
       run_cat},
      {"put",
       "upload a local file (or - for stdin) to an object URL",
       "usage: ndbucket put LOCAL_FILE URL [--metadata NAME=VALUE]... [--content-type TYPE] "
       "[-q|--quiet]\n"
       "Uploads LOCAL_FILE ('-' streams standard input, of any length) to the object URL,\n"
       "replacing it atomically: an interrupted upload leaves the previous object.",
       {{"quiet"}, {"metadata", "content-type"}, {{'q', "quiet"}, {'m', "metadata"}}},
       run_put},
      {"get",
       "download an object to a local file (or - for stdout)",
       "usage: ndbucket get URL LOCAL_FILE [--offset N] [--length N] [-q|--quiet]\n"
       "Downloads the object (or a byte range) to LOCAL_FILE ('-' is standard output). The file\n"
       "appears only once complete. A whole object is fetched in parallel 8 MiB ranges, all of\n"
       "one version of the object.",
       {{"quiet"}, {"offset", "length"}, {{'q', "quiet"}}},
       run_get},
      {"info",
       "show an object's size, etag, content type and metadata",
       "usage: ndbucket info URL [--json]\n"
       "Prints what a HEAD request returns for the object; --json as a JSON document.",
       {{"json"}, {}, {}},
       run_info},
  };
}

}  // namespace ndbucket::cli
