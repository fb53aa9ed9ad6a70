// ndbucket array info|get|put|show: arrays in cottoncandy's raw layout or as .npy objects.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/chunked.hpp"
#include "ndbucket/array/format.hpp"
#include "ndbucket/array/npy.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/store/open_store.hpp"

namespace ndbucket::cli {

namespace {

constexpr const char* kArrayUsage =
    "usage: ndbucket array SUBCOMMAND [ARGS...]\n"
    "Arrays in cottoncandy's raw layout (bytes + dtype/shape/compression metadata), as .npy,\n"
    "or chunked (a Zarr v2 array or cottoncandy's dask layout: URL names its prefix).\n\n"
    "subcommands:\n"
    "  info URL [--json]                      dtype, shape, compression, metadata (HEAD only)\n"
    "  get URL OUT.npy [--slice S] [--version N]  download as a .npy file ('-': stdout)\n"
    "  put IN.npy URL [--compression NAME] [--format raw|npy] [--metadata NAME=VALUE]...\n"
    "  show URL [--slice S] [--threshold N]   print the values the way NumPy does\n\n"
    "--slice takes NumPy syntax, one entry per dimension: \"0:10,:,5:20:2\" (an index keeps its\n"
    "dimension); for chunked arrays only the chunks it touches are fetched.\n\n"
    "Run 'ndbucket array SUBCOMMAND --help' for a subcommand's arguments.";

OpenOptions reading() { return {.create = false, .file = {}}; }

// The chunked array whose prefix `url` names. Errors: NotFound naming the URL when there is none.
ChunkedArray open_chunked(const std::string& url, const ObjectLocation& location) {
  // A named options object: GCC 12 warns (maybe-uninitialized) on the defaulted temporary.
  ChunkedIoOptions io;
  try {
    return ChunkedArray::open(location.store, location.key, io);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::NotFound) throw;
    throw Error(ErrorCode::NotFound, redact_url(url) +
                                         ": no such object, Zarr array (.zarray) or dask layout "
                                         "(metadata.json)");
  }
}

// The chunked array whose prefix `location` names, or nullopt when an object is there.
// Errors: NotFound when there is neither.
std::optional<ChunkedArray> open_chunked_at(const std::string& url,
                                            const ObjectLocation& location) {
  if (location.store->head(location.key)) return std::nullopt;
  return open_chunked(url, location);
}

// The --slice option as a Region (the whole array when absent).
Region slice_option(const Args& args) {
  try {
    return parse_region(args.option("slice").value_or(""));
  } catch (const Error& error) {
    throw UsageError(error.message());
  }
}

// The array at `url`, restricted to --slice: a chunked array fetches only the chunks the slice
// touches; a raw or .npy array is loaded whole and then sliced.
Array load_selection(const Args& args, const std::string& url) {
  Region region = slice_option(args);
  ObjectLocation location = open_object(url, reading());
  if (std::optional<ChunkedArray> chunked = open_chunked_at(url, location)) {
    return chunked->read(region);
  }
  Array array = ArrayStore(location.store).load_any(location.key);
  if (region.empty()) return array;
  return Array::copy_of(region_view(array.view(), region));
}

int print_chunked_info(const std::string& url, const ChunkedArray& array, bool json) {
  const ZarrArrayMetadata& m = array.metadata();
  ChunkedStoredStats stats = array.stored_stats();
  bool zarr = array.layout() == ChunkedLayout::Zarr;
  nlohmann::json doc = {{"url", redact_url(url)},
                        {"format", zarr ? "zarr" : "dask"},
                        {"dtype", m.dtype.str()},
                        {"shape", m.shape.dims()},
                        {"chunks_stored", stats.chunks_stored},
                        {"stored_size", stats.chunk_bytes_stored}};
  if (zarr) {
    doc["chunks"] = m.chunks;
    doc["compressor"] = m.compressor;
    doc["fill_value"] = m.fill_value;
    doc["order"] = std::string(1, static_cast<char>(m.order));
    doc["dimension_separator"] = std::string(1, m.dimension_separator);
    doc["attributes"] = array.attributes();
  } else {
    doc["chunk_starts"] = array.chunk_starts();
  }
  if (json) {
    std::cout << doc.dump(2) << "\n";
    return 0;
  }
  std::size_t grid = 1;
  for (const auto& starts : array.chunk_starts()) grid *= starts.size();
  std::cout << doc["url"].get<std::string>() << "\n"
            << "  format       " << doc["format"].get<std::string>() << "\n"
            << "  dtype        " << m.dtype.str() << "\n"
            << "  shape        " << m.shape.to_tuple() << "\n";
  if (zarr) {
    std::cout << "  chunks       " << Shape(m.chunks).to_tuple() << "\n"
              << "  compressor   " << m.compressor.dump() << "\n"
              << "  fill_value   " << m.fill_value.dump() << "\n"
              << "  order        " << doc["order"].get<std::string>() << "\n"
              << "  separator    " << m.dimension_separator << "\n";
  }
  std::cout << "  chunks stored " << stats.chunks_stored << " of " << grid << " ("
            << stats.chunk_bytes_stored << " bytes)\n";
  if (zarr && !doc["attributes"].empty()) {
    std::cout << "  attributes   " << doc["attributes"].dump() << "\n";
  }
  return 0;
}

int run_info(const Args& args) {
  args.expect_positionals(1, 1);
  const std::string& url = args.positionals()[0];
  ObjectLocation location = open_object(url, reading());
  ArrayStore arrays(location.store);
  std::optional<ObjectInfo> head = location.store->head(location.key);
  if (!head) {
    return print_chunked_info(url, open_chunked(url, location), args.flag("json"));
  }
  nlohmann::json doc = {{"url", redact_url(url)}, {"stored_size", head->size}};
  if (is_raw_array_metadata(head->metadata)) {
    ArrayInfo info = parse_array_metadata(head->metadata, location.store->describe(location.key));
    doc["format"] = "raw";
    doc["dtype"] = info.dtype.str();
    doc["shape"] = info.shape.dims();
    doc["compression"] = info.compression;
    doc["order"] = std::string(1, static_cast<char>(info.order));
    doc["metadata"] = info.metadata;
  } else {
    NpyHeader header = arrays.npy_info(location.key);
    doc["format"] = "npy";
    doc["npy_version"] = std::to_string(header.major_version) + ".0";
    doc["dtype"] = header.dtype.str();
    doc["shape"] = header.shape.dims();
    doc["order"] = std::string(1, static_cast<char>(header.order));
    doc["metadata"] = head->metadata;
  }
  if (args.flag("json")) {
    std::cout << doc.dump(2) << "\n";
    return 0;
  }
  std::cout << doc["url"].get<std::string>() << "\n";
  std::cout << "  format       " << doc["format"].get<std::string>();
  if (doc.contains("npy_version")) std::cout << " " << doc["npy_version"].get<std::string>();
  std::cout << "\n  dtype        " << doc["dtype"].get<std::string>() << "\n"
            << "  shape        " << Shape(doc["shape"].get<std::vector<std::size_t>>()).to_tuple()
            << "\n";
  if (doc.contains("compression")) {
    std::cout << "  compression  " << doc["compression"].get<std::string>() << "\n";
  }
  std::cout << "  order        " << doc["order"].get<std::string>() << "\n"
            << "  stored size  " << head->size << " bytes\n";
  for (const auto& [name, value] : doc["metadata"].items()) {
    std::cout << "  " << name << "=" << value.get<std::string>() << "\n";
  }
  return 0;
}

int run_get(const Args& args) {
  args.expect_positionals(2, 2);
  int version = 0;
  if (auto v = args.option("version")) {
    if (*v != "1" && *v != "2" && *v != "3") throw UsageError("--version must be 1, 2 or 3");
    version = std::stoi(*v);
  }
  Array array = load_selection(args, args.positionals()[0]);
  const std::string& out = args.positionals()[1];
  if (out == "-") {
    Bytes npy = encode_npy(array.view(), {.version = version});
    std::cout.write(reinterpret_cast<const char*>(npy.data()),
                    static_cast<std::streamsize>(npy.size()));
    std::cout.flush();
    if (!std::cout) throw Error(ErrorCode::Io, "cannot write to standard output");
    return 0;
  }
  save_npy_file(out, array.view(), {.version = version});
  return 0;
}

int run_put(const Args& args) {
  args.expect_positionals(2, 2);
  std::string format = args.option("format").value_or("raw");
  if (format != "raw" && format != "npy") throw UsageError("--format must be raw or npy");
  Metadata metadata;
  for (const std::string& pair : args.options("metadata")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("--metadata takes NAME=VALUE");
    metadata[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  Array array = load_npy_file(args.positionals()[0]);
  ObjectLocation location = open_object(args.positionals()[1]);
  ArrayStore arrays(location.store);
  ObjectInfo info;
  if (format == "npy") {
    if (args.option("compression")) throw UsageError("--compression applies to --format raw");
    info = arrays.save_npy(location.key, array.view(), metadata);
  } else {
    info = arrays.save(location.key, array.view(),
                       {.compression = args.option("compression"), .metadata = metadata});
  }
  if (!args.flag("quiet")) {
    std::cerr << "stored " << array.dtype().str() << " " << array.shape().to_tuple() << " as "
              << location.store->describe(location.key) << " (" << info.size << " bytes)\n";
  }
  return 0;
}

int run_show(const Args& args) {
  args.expect_positionals(1, 1);
  FormatOptions options;
  if (auto t = args.option("threshold")) {
    try {
      options.threshold = std::stoull(*t);
    } catch (const std::exception&) {
      throw UsageError("--threshold takes a number");
    }
  }
  Array array = load_selection(args, args.positionals()[0]);
  std::cout << "dtype=" << array.dtype().str() << " shape=" << array.shape().to_tuple() << "\n"
            << format_array(array.view(), options) << "\n";
  return 0;
}

std::vector<Command> subcommands() {
  return {
      {"info",
       "describe an array (HEAD only)",
       "usage: ndbucket array info URL [--json]\n"
       "Prints the format (raw or npy), dtype, shape, compression, order, stored size and user\n"
       "metadata of the array object at URL, from its metadata and at most its .npy header.\n"
       "For a chunked array (URL names its prefix: zarr or dask layout): chunks, compressor,\n"
       "fill value, order, separator, chunks stored (one listing) and attributes.",
       {{"json"}, {}, {}},
       run_info},
      {"get",
       "download an array as .npy",
       "usage: ndbucket array get URL OUT.npy [--slice S] [--version 1|2|3]\n"
       "Reads the raw (any compression), .npy or chunked array at URL and writes OUT.npy ('-':\n"
       "stdout), which numpy.load reads. Fortran-ordered arrays stay Fortran-ordered unless\n"
       "sliced. --slice \"0:10,:,5:20:2\" (NumPy syntax) keeps only those elements; a chunked\n"
       "array then fetches only the chunks they lie in.",
       {{}, {"version", "slice"}, {}},
       run_get},
      {"put",
       "upload a .npy file as an array",
       "usage: ndbucket array put IN.npy URL [--compression NAME] [--format raw|npy]\n"
       "                          [--metadata NAME=VALUE]... [--quiet]\n"
       "Stores IN.npy at URL in cottoncandy's raw layout (default) or as a .npy object.\n"
       "--compression: none, gzip (cottoncandy's default up to 2 GiB, level 9), Zstd, LZ4, Zlib,\n"
       "BZ2, GZIP, lzma, Blosc (any case; written as spelled). Default: gzip (Zstd above 2 GiB).",
       {{"quiet"}, {"compression", "format", "metadata"}, {{'q', "quiet"}, {'m', "metadata"}}},
       run_put},
      {"show",
       "print an array's values",
       "usage: ndbucket array show URL [--slice S] [--threshold N]\n"
       "Prints dtype, shape and the values the way NumPy does; arrays above N elements (1000)\n"
       "are summarised with '...'. --slice as for get (chunked arrays: only those chunks).",
       {{}, {"threshold", "slice"}, {}},
       run_show},
  };
}

// Called only if a caller bypasses run_array_command: the subcommands need their own parsing.
int run_array_group(const Args&) {
  std::cerr << kArrayUsage << "\n";
  return 2;
}

}  // namespace

std::vector<Command> array_commands() {
  return {{"array",
           "arrays: info, get, put, show (run 'ndbucket array --help')",
           kArrayUsage,
           {{}, {}, {}},
           run_array_group}};
}

int run_array_command(const std::vector<std::string>& args) {
  return run_command_group("array", kArrayUsage, subcommands(), args);
}

}  // namespace ndbucket::cli
