// ls, glob, tree, du, cp, mv, rm: directories and patterns, through the fs layer.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/common.hpp"
#include "cli/progress_bar.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/fs/filesystem.hpp"

namespace ndbucket::cli {

namespace {

// The URL argument, else $NDBUCKET_URL, else the current directory.
std::string url_or_default(const Args& args) {
  if (!args.positionals().empty()) return args.positionals()[0];
  const char* configured = std::getenv("NDBUCKET_URL");
  return configured && *configured ? configured : ".";
}

int run_ls(const Args& args) {
  args.expect_positionals(0, 1);
  std::string url = url_or_default(args);
  // Names are shown relative to the listed URL (or to the pattern's directory).
  GlobLocation location =
      url_has_wildcards(url) ? open_glob(url, false) : GlobLocation{open_store(url, reading()), ""};
  FileSystem fs(location.store);
  bool recursive = args.flag("recursive");
  std::vector<ObjectInfo> objects;
  std::vector<std::string> prefixes;
  if (!location.pattern.empty()) {
    for (std::string& key : fs.glob(location.pattern)) {
      ObjectInfo info = location.store->head(key).value_or(ObjectInfo{});
      info.key = std::move(key);
      objects.push_back(std::move(info));
    }
  } else {
    ListResult listing = location.store->list("", {.delimiter = recursive ? "" : "/"});
    objects = std::move(listing.objects);
    prefixes = std::move(listing.common_prefixes);
  }
  if (args.flag("json")) {
    nlohmann::json doc = {{"url", location.store->url()},
                          {"objects", nlohmann::json::array()},
                          {"prefixes", prefixes}};
    for (const ObjectInfo& info : objects) doc["objects"].push_back(info_json(info, false));
    std::cout << doc.dump(2) << "\n";
    return 0;
  }
  bool long_form = args.flag("long");
  for (const std::string& prefix : prefixes) {
    if (long_form) std::cout << std::string(34, ' ');
    std::cout << prefix << "\n";
  }
  for (const ObjectInfo& info : objects) {
    if (long_form) {
      char size[24];
      std::snprintf(size, sizeof size, "%12llu", static_cast<unsigned long long>(info.size));
      std::cout << iso_time(info.last_modified) << " " << size << " ";
    }
    std::cout << info.key << "\n";
  }
  return 0;
}

int run_glob(const Args& args) {
  args.expect_positionals(1, 1);
  GlobLocation location = open_glob(args.positionals()[0]);
  FileSystem fs(location.store);
  GlobOptions options;
  if (args.flag("fnmatch")) options.syntax = GlobSyntax::Fnmatch;
  options.include_subtree = args.flag("subtree");
  // Full URLs: unambiguous, and ready to pass to cat, cp or rm.
  std::vector<std::string> urls;
  for (const std::string& key : fs.glob(location.pattern, options)) {
    urls.push_back(location.store->describe(key));
  }
  if (args.flag("json")) {
    std::cout << nlohmann::json{{"urls", urls}}.dump(2) << "\n";
  } else {
    for (const std::string& url : urls) std::cout << url << "\n";
  }
  return urls.empty() ? 1 : 0;
}

int run_tree(const Args& args) {
  args.expect_positionals(0, 1);
  FileSystem fs(open_store(url_or_default(args), reading()));
  std::cout << fs.tree("");
  return 0;
}

int run_du(const Args& args) {
  args.expect_positionals(0, 1);
  auto store = open_store(url_or_default(args), reading());
  DiskUsage usage = FileSystem(store).du("");
  if (args.flag("json")) {
    std::cout << nlohmann::json{{"url", store->url()},
                                {"bytes", usage.bytes},
                                {"objects", usage.objects}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << usage.bytes << " bytes in " << usage.objects << " objects  " << store->url()
              << "\n";
  }
  return 0;
}

CopyOptions copy_options(const Args& args, ProgressBar& bar) {
  CopyOptions options;
  options.recursive = args.flag("recursive");
  options.overwrite = args.flag("force");
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  return options;
}

// A store URL naming a directory or object: the store at its parent, and its last segment.
struct Split {
  std::shared_ptr<ObjectStore> store;
  std::string name;
};

Split split(const std::string& url, bool create) {
  ObjectLocation location = open_object(url, {.create = create, .file = {}});
  return {location.store, location.key};
}

std::size_t copy_or_move(const Args& args, bool move) {
  args.expect_positionals(2, 2);
  const std::string& source = args.positionals()[0];
  const std::string& destination = args.positionals()[1];
  ProgressBar bar(move ? "mv" : "cp", progress_wanted(args));
  CopyOptions options = copy_options(args, bar);
  bool from_store = is_store_url(source), to_store = is_store_url(destination);
  if (!from_store && !to_store) {
    throw UsageError("neither side is a store URL (s3://, mem://): use cp(1) for local files");
  }
  if (from_store && to_store) {
    // Within one store (the same scheme://authority and query) copies are server-side.
    auto root_of = [](const std::string& url) {
      return url.substr(0, url.find('/', url.find("://") + 3));
    };
    auto query_of = [](const std::string& url) {
      std::size_t mark = url.find('?');
      return mark == std::string::npos ? std::string() : url.substr(mark);
    };
    auto path_of = [&](const std::string& url) {
      std::string root = root_of(url);
      std::string path = url.size() > root.size() ? url.substr(root.size() + 1) : "";
      return path.substr(0, path.find('?'));
    };
    if (root_of(source) == root_of(destination) && query_of(source) == query_of(destination)) {
      FileSystem fs(open_store(root_of(source) + query_of(source)));
      return move ? fs.mv(path_of(source), path_of(destination), options)
                  : fs.cp(path_of(source), path_of(destination), options);
    }
    if (move) throw UsageError("mv between different stores: use cp, then rm -r");
    Split from = split(source, false), to = split(destination, true);
    FileSystem source_fs(from.store), target_fs(to.store);
    return source_fs.copy_to(target_fs, from.name, to.name, options);
  }
  if (move) throw UsageError("mv works between store URLs only; use cp, then rm");
  if (to_store) {
    Split target = split(destination, true);
    FileSystem fs(target.store);
    if (std::filesystem::is_directory(source)) {
      if (!options.recursive) throw UsageError("'" + source + "' is a directory: use -r");
      return fs.upload_directory(source, target.name, options);
    }
    if (!options.overwrite && target.store->exists(target.name)) {
      throw Error(ErrorCode::AlreadyExists,
                  target.store->describe(target.name) + " exists; use -f to replace it");
    }
    LocalInput input(source);
    target.store->put(target.name, input.bytes());
    options.progress(input.bytes().size(), input.bytes().size());
    return 1;
  }
  Split origin = split(source, false);
  FileSystem fs(origin.store);
  if (options.recursive && fs.isdir(origin.name)) {
    return fs.download_directory(origin.name, destination, options);
  }
  if (!origin.store->exists(origin.name)) {
    throw Error(ErrorCode::NotFound, "no object at " + origin.store->describe(origin.name) +
                                         (fs.isdir(origin.name) ? " (a directory: use -r)" : ""));
  }
  if (!options.overwrite && std::filesystem::exists(destination)) {
    throw Error(ErrorCode::AlreadyExists, "'" + destination + "' exists; use -f to replace it");
  }
  GetResult result = origin.store->get(origin.name);
  write_local(destination, result.body);
  options.progress(result.body.size(), result.body.size());
  return 1;
}

int run_cp(const Args& args) {
  std::size_t copied = copy_or_move(args, false);
  if (!args.flag("quiet")) std::cerr << "copied " << copied << " object(s)\n";
  return 0;
}

int run_mv(const Args& args) {
  std::size_t moved = copy_or_move(args, true);
  if (!args.flag("quiet")) std::cerr << "moved " << moved << " object(s)\n";
  return 0;
}

int run_rm(const Args& args) {
  args.expect_positionals(1, SIZE_MAX);
  int status = 0;
  for (const std::string& url : args.positionals()) {
    Split target = split(url, false);
    FileSystem fs(target.store);
    try {
      fs.rm(target.name, args.flag("recursive"));
    } catch (const Error& error) {
      // S3 deletes missing keys silently; a person at a shell wants to hear about the typo.
      if (error.code() == ErrorCode::NotFound && args.flag("force")) continue;
      if (error.code() != ErrorCode::NotFound && error.code() != ErrorCode::InvalidArgument) {
        throw;
      }
      std::cerr << "ndbucket rm: " << error.what() << "\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace

std::vector<Command> fs_commands() {
  return {
      {"ls",
       "list the objects and directories at a URL (or matching a pattern)",
       "usage: ndbucket ls [URL] [-r|--recursive] [-l|--long] [--json]\n"
       "Lists one level below URL (default $NDBUCKET_URL, else '.'): directories end in '/'.\n"
       "A URL with wildcards (*, **, ?, [..]) lists the matching objects. -r lists every object\n"
       "below; -l adds time and size; --json prints {url, objects, prefixes}.",
       {{"recursive", "long", "json"}, {}, {{'r', "recursive"}, {'l', "long"}}},
       run_ls},
      {"glob",
       "list the objects matching a pattern",
       "usage: ndbucket glob URL_PATTERN [--fnmatch] [--subtree] [--json]\n"
       "'*' and '?' stay within one '/' segment, '**' crosses segments, [abc] and [!abc] are\n"
       "classes, '\\' escapes. --fnmatch gives cottoncandy's matching ('*' crosses '/', a plain\n"
       "name is a prefix); --subtree makes a plain name also list the directory below it.\n"
       "Prints the full URL of each match; exits 1 when nothing matches. In s3:// URLs '?'\n"
       "starts the query: use [x] instead.",
       {{"fnmatch", "subtree", "json"}, {}, {}},
       run_glob},
      {"tree",
       "draw the directory tree at a URL",
       "usage: ndbucket tree [URL]\nDraws every directory and object below URL (default "
       "$NDBUCKET_URL, else '.').",
       {{}, {}, {}},
       run_tree},
      {"du",
       "sum the bytes and objects below a URL",
       "usage: ndbucket du [URL] [--json]\nSums sizes below URL (default $NDBUCKET_URL, else "
       "'.'), listing subdirectories in parallel.",
       {{"json"}, {}, {}},
       run_du},
      {"cp",
       "copy objects or directories: local <-> store, store <-> store",
       "usage: ndbucket cp SOURCE DESTINATION [-r|--recursive] [-f|--force] [-q|--quiet]\n"
       "Store locations are s3:// or mem:// URLs; other arguments are local paths. -r copies\n"
       "directories (relative paths kept); within one store copies are server-side. Existing\n"
       "destinations are refused unless -f. A progress bar appears on a terminal for transfers\n"
       "longer than a second.",
       {{"recursive", "force", "quiet"}, {}, {{'r', "recursive"}, {'f', "force"}, {'q', "quiet"}}},
       run_cp},
      {"mv",
       "move objects or directories within a store",
       "usage: ndbucket mv SOURCE_URL DESTINATION_URL [-r|--recursive] [-f|--force] [-q]\n"
       "Copies (server-side) then deletes the source.",
       {{"recursive", "force", "quiet"}, {}, {{'r', "recursive"}, {'f', "force"}, {'q', "quiet"}}},
       run_mv},
      {"rm",
       "delete objects, or directories with -r",
       "usage: ndbucket rm URL... [-r|--recursive] [-f|--force]\n"
       "Deletes each object; -r deletes a directory and exactly what is below it ('x/exp' never\n"
       "touches 'x/exp2/...'). A missing object is an error unless -f is given.",
       {{"recursive", "force"}, {}, {{'r', "recursive"}, {'f', "force"}}},
       run_rm},
  };
}

}  // namespace ndbucket::cli
