// ndbucket array info|get|put|show: arrays in cottoncandy's raw layout or as .npy objects.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "ndbucket/array/array_store.hpp"
#include "ndbucket/array/format.hpp"
#include "ndbucket/array/npy.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/store/open_store.hpp"

namespace ndbucket::cli {

namespace {

constexpr const char* kArrayUsage =
    "usage: ndbucket array SUBCOMMAND [ARGS...]\n"
    "Arrays in cottoncandy's raw layout (bytes + dtype/shape/compression metadata) or as .npy.\n\n"
    "subcommands:\n"
    "  info URL [--json]                      dtype, shape, compression, metadata (HEAD only)\n"
    "  get URL OUT.npy [--version N]          download as a .npy file ('-': stdout)\n"
    "  put IN.npy URL [--compression NAME] [--format raw|npy] [--metadata NAME=VALUE]...\n"
    "  show URL [--threshold N]               print the values the way NumPy does\n\n"
    "Run 'ndbucket array SUBCOMMAND --help' for a subcommand's arguments.";

OpenOptions reading() { return {.create = false, .file = {}}; }

int run_info(const Args& args) {
  args.expect_positionals(1, 1);
  const std::string& url = args.positionals()[0];
  ObjectLocation location = open_object(url, reading());
  ArrayStore arrays(location.store);
  std::optional<ObjectInfo> head = location.store->head(location.key);
  if (!head) throw Error(ErrorCode::NotFound, redact_url(url) + ": no such object");
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
  ObjectLocation location = open_object(args.positionals()[0], reading());
  Array array = ArrayStore(location.store).load_any(location.key);
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
  ObjectLocation location = open_object(args.positionals()[0], reading());
  Array array = ArrayStore(location.store).load_any(location.key);
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
       "metadata of the array object at URL, from its metadata and at most its .npy header.",
       {{"json"}, {}, {}},
       run_info},
      {"get",
       "download an array as .npy",
       "usage: ndbucket array get URL OUT.npy [--version 1|2|3]\n"
       "Reads the raw (any compression) or .npy array at URL and writes OUT.npy ('-': stdout),\n"
       "which numpy.load reads. Fortran-ordered arrays stay Fortran-ordered.",
       {{}, {"version"}, {}},
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
       "usage: ndbucket array show URL [--threshold N]\n"
       "Prints dtype, shape and the values the way NumPy does; arrays above N elements (1000)\n"
       "are summarised with '...'.",
       {{}, {"threshold"}, {}},
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
  if (args.empty()) {
    std::cerr << kArrayUsage << "\n";
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kArrayUsage << "\n";
    return 0;
  }
  std::vector<Command> commands = subcommands();
  const Command* command = nullptr;
  for (const Command& candidate : commands) {
    if (candidate.name == args[0]) command = &candidate;
  }
  if (!command) {
    std::cerr << "ndbucket array: unknown subcommand '" << args[0] << "'\n\n"
              << kArrayUsage << "\n";
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const std::string& arg : rest) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      std::cout << command->usage << "\n";
      return 0;
    }
  }
  const std::string label = "ndbucket array " + command->name;
  try {
    Args parsed(rest, command->spec);
    return command->run(parsed);
  } catch (const UsageError& error) {
    std::cerr << label << ": " << error.what() << "\n" << command->usage << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << label << ": " << error.what() << "\n";
    return 1;
  }
}

}  // namespace ndbucket::cli
