// ndbucket h5 import|export: HDF5 files to Zarr trees in a store and back.
#include <iostream>
#include <nlohmann/json.hpp>

// Before cli/common.hpp: dtype.hpp's DTypeKind::Bytes trips -Wshadow when ndbucket::Bytes is
// already declared.
#include "ndbucket/hdf5/hdf5.hpp"

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/progress_bar.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/store/open_store.hpp"

namespace ndbucket::cli {

namespace {

constexpr const char* kH5Usage =
    "usage: ndbucket h5 SUBCOMMAND [ARGS...]\n"
    "HDF5 files to Zarr v2 trees (groups, chunked arrays, attributes) in a store, and back.\n\n"
    "subcommands:\n"
    "  import FILE URL [options]   HDF5 file -> Zarr group at URL\n"
    "  export URL FILE [options]   Zarr group at URL -> HDF5 file\n\n"
    "Run 'ndbucket h5 SUBCOMMAND --help' for a subcommand's arguments.";

std::uint64_t parse_size(const Args& args, const std::string& name, std::uint64_t fallback) {
  auto text = args.option(name);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    unsigned long long value = std::stoull(*text, &used);
    std::string unit = text->substr(used);
    std::uint64_t scale = unit.empty()                   ? 1
                          : unit == "K" || unit == "KiB" ? 1 << 10
                          : unit == "M" || unit == "MiB" ? 1 << 20
                          : unit == "G" || unit == "GiB" ? std::uint64_t{1} << 30
                                                         : 0;
    if (scale == 0 || (*text)[0] == '-') throw UsageError("");
    return value * scale;
  } catch (const std::exception&) {
    throw UsageError("--" + name + " wants a size such as 4M, 256MiB or 1048576, not '" + *text +
                     "'");
  }
}

void print_skipped(const std::vector<Hdf5SkippedObject>& skipped) {
  if (!skipped.empty()) std::cerr << skipped.size() << " object(s) skipped (see warnings)\n";
}

int run_import(const Args& args) {
  args.expect_positionals(2, 2);
  const std::string& file = args.positionals()[0];
  const std::string& url = args.positionals()[1];
  Hdf5ImportOptions options;
  if (auto codec = args.option("compressor")) {
    if (*codec == "none") {
      options.compressor = nullptr;
    } else if (!codec->empty() && (*codec)[0] == '{') {
      try {
        options.compressor = nlohmann::json::parse(*codec);
      } catch (const nlohmann::json::exception&) {
        throw UsageError("--compressor: not a JSON object: " + *codec);
      }
    } else {
      options.compressor = *codec;
    }
  }
  options.target_chunk_bytes = parse_size(args, "chunk-size", options.target_chunk_bytes);
  options.keep_hdf5_chunks = !args.flag("rechunk");
  options.raw_array_threshold = parse_size(args, "raw-below", 0);
  options.consolidate = !args.flag("no-consolidate");
  options.overwrite = args.flag("overwrite");
  options.memory_budget = parse_size(args, "memory", options.memory_budget);
  options.concurrency = parse_size(args, "concurrency", options.concurrency);
  if (args.flag("fail-unsupported")) options.unsupported = Hdf5UnsupportedPolicy::Fail;
  options.warning = [](const std::string& line) { std::cerr << "warning: " << line << "\n"; };
  ProgressBar bar("h5 import", !args.flag("quiet"));
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  Hdf5ImportReport report = import_hdf5(file, open_store(url), "", options);
  if (!args.flag("quiet")) {
    std::cout << "imported " << file << " -> " << redact_url(url) << ": " << report.groups
              << " groups, " << report.arrays << " arrays, " << report.raw_arrays << " raw arrays, "
              << report.bytes << " bytes\n";
  }
  print_skipped(report.skipped);
  return 0;
}

int run_export(const Args& args) {
  args.expect_positionals(2, 2);
  const std::string& url = args.positionals()[0];
  const std::string& file = args.positionals()[1];
  Hdf5ExportOptions options;
  options.overwrite = args.flag("overwrite");
  options.memory_budget = parse_size(args, "memory", options.memory_budget);
  options.concurrency = parse_size(args, "concurrency", options.concurrency);
  options.warning = [](const std::string& line) { std::cerr << "warning: " << line << "\n"; };
  ProgressBar bar("h5 export", !args.flag("quiet"));
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  Hdf5ExportReport report = export_hdf5(open_store(url, reading()), "", file, options);
  if (!args.flag("quiet")) {
    std::cout << "exported " << redact_url(url) << " -> " << file << ": " << report.groups
              << " groups, " << report.datasets << " datasets, " << report.bytes << " bytes\n";
  }
  print_skipped(report.skipped);
  return 0;
}

std::vector<Command> subcommands() {
  return {
      {"import",
       "HDF5 file -> Zarr group",
       "usage: ndbucket h5 import FILE URL [--compressor ID|JSON|none] [--chunk-size SIZE]\n"
       "         [--rechunk] [--raw-below SIZE] [--no-consolidate] [--fail-unsupported]\n"
       "         [--overwrite] [--memory SIZE] [--concurrency N] [--quiet]\n"
       "Writes FILE's groups as Zarr groups, datasets as Zarr arrays (HDF5 chunk shape kept;\n"
       "--rechunk or unchunked datasets: chunks of about --chunk-size, default 4M) and\n"
       "attributes as .zattrs under URL, then .zmetadata. --compressor: a numcodecs id (zstd,\n"
       "zlib, gzip, lz4, blosc, bz2, lzma), a JSON config or none; default zarr's blosc lz4.\n"
       "--raw-below: datasets smaller than SIZE become cottoncandy raw arrays. Compound,\n"
       "variable-length and reference datasets are skipped with a warning, or refused with\n"
       "--fail-unsupported. --memory bounds the data held at once (default 256M).",
       {{"rechunk", "no-consolidate", "fail-unsupported", "overwrite", "quiet"},
        {"compressor", "chunk-size", "raw-below", "memory", "concurrency"},
        {{'q', "quiet"}}},
       run_import},
      {"export",
       "Zarr group -> HDF5 file",
       "usage: ndbucket h5 export URL FILE [--overwrite] [--memory SIZE] [--concurrency N]\n"
       "         [--quiet]\n"
       "Writes the Zarr group at URL (groups, arrays, attributes) to the HDF5 file FILE, keeping\n"
       "chunk shapes, zlib/gzip compression (as deflate) and fill values. An existing FILE is\n"
       "replaced only with --overwrite.",
       {{"overwrite", "quiet"}, {"memory", "concurrency"}, {{'q', "quiet"}}},
       run_export},
  };
}

int run_h5_group(const Args&) {
  std::cerr << kH5Usage << "\n";
  return 2;
}

}  // namespace

std::vector<Command> h5_commands() {
  return {{"h5",
           "HDF5 files: import, export (run 'ndbucket h5 --help')",
           kH5Usage,
           {{}, {}, {}},
           run_h5_group}};
}

int run_h5_command(const std::vector<std::string>& args) {
  return run_command_group("h5", kH5Usage, subcommands(), args);
}

}  // namespace ndbucket::cli
