// ls, cat, put, get, rm, info: the ObjectStore operations, one command each.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/store/open_store.hpp"

namespace ndbucket::cli {

namespace {

std::string iso_time(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::json info_json(const ObjectInfo& info, bool with_metadata) {
  nlohmann::json doc = {{"key", info.key},
                        {"size", info.size},
                        {"etag", info.etag},
                        {"last_modified", iso_time(info.last_modified)}};
  if (with_metadata) {
    doc["content_type"] = info.content_type;
    doc["metadata"] = info.metadata;
  }
  return doc;
}

[[noreturn]] void fail_local(int err, const std::string& action, const std::string& path) {
  throw Error(err == ENOENT ? ErrorCode::NotFound : ErrorCode::Io,
              action + " '" + path + "': " + std::strerror(err));
}

// A local file (or stdin) as bytes: mapped, not copied, so a large put reads it in place.
class LocalInput {
 public:
  explicit LocalInput(const std::string& path) {
    if (path == "-") {
      std::string data((std::istreambuf_iterator<char>(std::cin)),
                       std::istreambuf_iterator<char>());
      buffer_ = to_bytes(data);
      bytes_ = buffer_;
      return;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail_local(errno, "cannot open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw Error(ErrorCode::InvalidArgument, "'" + path + "' is not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      int err = errno;
      ::close(fd);
      if (map_ == MAP_FAILED) fail_local(err, "cannot map", path);
      bytes_ = ByteSpan(static_cast<const std::byte*>(map_), size_);
    } else {
      ::close(fd);
    }
  }
  LocalInput(const LocalInput&) = delete;
  LocalInput& operator=(const LocalInput&) = delete;
  ~LocalInput() {
    if (map_ != nullptr && map_ != MAP_FAILED) ::munmap(map_, size_);
  }
  ByteSpan bytes() const { return bytes_; }

 private:
  Bytes buffer_;
  void* map_ = nullptr;
  std::size_t size_ = 0;
  ByteSpan bytes_;
};

// Writes bytes to stdout, or to a local file through a temporary file and a rename, so an
// interrupted download never leaves a truncated file under the final name.
void write_local(const std::string& path, ByteSpan bytes) {
  if (path == "-") {
    std::cout.write(reinterpret_cast<const char*>(bytes.data()),
                    static_cast<std::streamsize>(bytes.size()));
    std::cout.flush();
    if (!std::cout) throw Error(ErrorCode::Io, "cannot write to standard output");
    return;
  }
  std::string tmp = path + ".ndbucket-" + std::to_string(::getpid()) + ".part";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail_local(errno, "cannot create", tmp);
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_local(err, "cannot write", path);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail_local(err, "cannot write", path);
  }
}

// The store for reading: a missing local directory is an error, never created.
OpenOptions reading() { return {.create = false, .file = {}}; }

int run_ls(const Args& args) {
  args.expect_positionals(0, 1);
  std::string url = args.positionals().empty() ? "." : args.positionals()[0];
  auto store = open_store(url, reading());
  bool recursive = args.flag("recursive");
  ListResult listing = store->list("", {.delimiter = recursive ? "" : "/"});
  if (args.flag("json")) {
    nlohmann::json doc = {{"url", store->url()},
                          {"objects", nlohmann::json::array()},
                          {"prefixes", listing.common_prefixes}};
    for (const ObjectInfo& info : listing.objects) doc["objects"].push_back(info_json(info, false));
    std::cout << doc.dump(2) << "\n";
    return 0;
  }
  bool long_form = args.flag("long");
  for (const std::string& prefix : listing.common_prefixes) {
    if (long_form) std::cout << std::string(33, ' ');
    std::cout << prefix << "\n";
  }
  for (const ObjectInfo& info : listing.objects) {
    if (long_form) {
      char size[24];
      std::snprintf(size, sizeof size, "%12llu", static_cast<unsigned long long>(info.size));
      std::cout << iso_time(info.last_modified) << " " << size << " ";
    }
    std::cout << info.key << "\n";
  }
  return 0;
}

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
  GetResult result = location.store->get(location.key, range_from(args));
  write_local(args.positionals()[1], result.body);
  return 0;
}

int run_put(const Args& args) {
  args.expect_positionals(2, 2);
  PutOptions options;
  for (const std::string& pair : args.options("metadata")) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("--metadata needs NAME=VALUE, got '" + pair + "'");
    }
    options.metadata[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  if (auto type = args.option("content-type")) options.content_type = *type;
  LocalInput input(args.positionals()[0]);
  ObjectLocation location = open_object(args.positionals()[1]);
  ObjectInfo info = location.store->put(location.key, input.bytes(), options);
  if (!args.flag("quiet")) {
    std::cerr << "put " << info.size << " bytes to " << location.store->describe(location.key)
              << "\n";
  }
  return 0;
}

int run_rm(const Args& args) {
  args.expect_positionals(1, SIZE_MAX);
  int status = 0;
  for (const std::string& url : args.positionals()) {
    ObjectLocation location = open_object(url, reading());
    // S3 deletes missing keys silently; a person at a shell wants to hear about the typo.
    if (!args.flag("force") && !location.store->exists(location.key)) {
      std::cerr << "ndbucket rm: no object at " << location.store->describe(location.key) << "\n";
      status = 1;
      continue;
    }
    location.store->remove(location.key);
  }
  return status;
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
      {"ls",
       "list the objects and directories at a URL",
       "usage: ndbucket ls [URL] [-r|--recursive] [-l|--long] [--json]\n"
       "Lists one level below URL (a store, a directory in it, default '.'): directories end in\n"
       "'/'. -r lists every object below instead; -l adds time and size; --json prints a JSON\n"
       "document {url, objects: [{key, size, etag, last_modified}], prefixes}.",
       {{"recursive", "long", "json"}, {}, {{'r', "recursive"}, {'l', "long"}}},
       run_ls},
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
       "Uploads LOCAL_FILE ('-' reads standard input) to the object URL, replacing it atomically.",
       {{"quiet"}, {"metadata", "content-type"}, {{'q', "quiet"}, {'m', "metadata"}}},
       run_put},
      {"get",
       "download an object to a local file (or - for stdout)",
       "usage: ndbucket get URL LOCAL_FILE [--offset N] [--length N]\n"
       "Downloads the object (or a byte range) to LOCAL_FILE ('-' is standard output). The file\n"
       "appears only once complete.",
       {{}, {"offset", "length"}, {}},
       run_get},
      {"rm",
       "delete objects",
       "usage: ndbucket rm URL... [-f|--force]\n"
       "Deletes each object. A missing object is an error unless -f is given.",
       {{"force"}, {}, {{'f', "force"}}},
       run_rm},
      {"info",
       "show an object's size, etag, content type and metadata",
       "usage: ndbucket info URL [--json]\n"
       "Prints what a HEAD request returns for the object; --json as a JSON document.",
       {{"json"}, {}, {}},
       run_info},
  };
}

}  // namespace ndbucket::cli
