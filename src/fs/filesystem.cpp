#include "ndbucket/fs/filesystem.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>

#include "core/parallel.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/core/mapped_file.hpp"
#include "ndbucket/store/open_store.hpp"

namespace ndbucket {

namespace {

constexpr std::size_t kDeleteBatch = 1000;  // S3's DeleteObjects limit

// "a/b" -> "a/b/"; "" stays "" (the root).
std::string as_directory(std::string_view name) {
  std::string dir = clean_name(name);
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return dir;
}

// The directory part of a cleaned name without its trailing '/'.
std::string without_slash(std::string name) {
  while (!name.empty() && name.back() == '/') name.pop_back();
  return name;
}

bool selected(const std::string& relative, const std::vector<GlobPattern>& include,
              const std::vector<GlobPattern>& exclude) {
  bool in = include.empty() ||
            std::any_of(include.begin(), include.end(),
                        [&](const GlobPattern& pattern) { return pattern.matches(relative); });
  return in && std::none_of(exclude.begin(), exclude.end(),
                            [&](const GlobPattern& pattern) { return pattern.matches(relative); });
}

std::vector<GlobPattern> compile_all(const std::vector<std::string>& patterns) {
  std::vector<GlobPattern> compiled;
  for (const std::string& pattern : patterns) compiled.emplace_back(pattern);
  return compiled;
}

// Counts bytes done across threads and reports them to the caller's callback.
class Progress {
 public:
  Progress(const ProgressCallback& callback, std::uint64_t total)
      : callback_(callback), total_(total) {
    if (callback_) callback_(0, total_);
  }
  void add(std::uint64_t bytes) {
    std::uint64_t done = done_ += bytes;
    if (callback_) {
      std::lock_guard guard(mutex_);  // callers get calls one at a time
      callback_(done, total_);
    }
  }

 private:
  const ProgressCallback& callback_;
  std::uint64_t total_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mutex_;
};

}  // namespace

std::string clean_name(std::string_view name) {
  std::string cleaned;
  cleaned.reserve(name.size());
  for (char c : name) {
    if (c == '/' && !cleaned.empty() && cleaned.back() == '/') continue;
    cleaned += c;
  }
  if (!cleaned.empty() && cleaned.front() == '/') cleaned.erase(0, 1);
  return cleaned;
}

namespace {

// Where a URL's path starts and which part of it may hold wildcards: remote URLs keep their
// query string apart, and there the first '?' starts the query, so '?' is no wildcard.
struct UrlParts {
  std::string base;   // without the query string
  std::string query;  // "" or "?..."
  std::size_t path_start = 0;
  bool remote = false;
  std::size_t first_wildcard = std::string::npos;
};

UrlParts split_url(std::string_view url) {
  UrlParts parts{std::string(url), "", 0, false, std::string::npos};
  std::size_t scheme_end = parts.base.find("://");
  parts.remote = scheme_end != std::string::npos && !parts.base.starts_with("file://");
  if (parts.remote) {
    if (std::size_t mark = parts.base.find('?'); mark != std::string::npos) {
      parts.query = parts.base.substr(mark);
      parts.base.resize(mark);
    }
  }
  parts.path_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  parts.first_wildcard = parts.base.find_first_of(parts.remote ? "*[" : "*?[", parts.path_start);
  return parts;
}

}  // namespace

bool url_has_wildcards(std::string_view url) {
  return split_url(url).first_wildcard != std::string::npos;
}

GlobLocation open_glob(std::string_view url, bool create) {
  UrlParts parts = split_url(url);
  const std::string& base = parts.base;
  // The store sits at the last '/' before the first wildcard (or before the last segment).
  std::size_t limit =
      parts.first_wildcard == std::string::npos ? base.size() : parts.first_wildcard;
  std::size_t slash = limit == 0 ? std::string::npos : base.rfind('/', limit - 1);
  OpenOptions options{.create = create, .file = {}};
  if (slash == std::string::npos || slash < parts.path_start) {
    if (parts.remote) {
      throw Error(ErrorCode::InvalidArgument,
                  "'" + redact_url(url) + "' names no bucket or store to search");
    }
    return {open_store(".", options), base.substr(parts.path_start)};
  }
  if (parts.remote && base.find('/', parts.path_start) > slash) {
    throw Error(ErrorCode::InvalidArgument,
                "'" + redact_url(url) + "': a bucket or store name cannot hold wildcards");
  }
  return {open_store(base.substr(0, slash + 1) + parts.query, options), base.substr(slash + 1)};
}

FileSystem::FileSystem(std::shared_ptr<ObjectStore> store) : store_(std::move(store)) {
  if (!store_) throw Error(ErrorCode::InvalidArgument, "FileSystem needs a store");
}

bool FileSystem::isdir(std::string_view name) {
  bool found = false;
  store_->list_pages(as_directory(name), {.delimiter = "", .page_size = 1}, [&](ListPage& page) {
    found = !page.objects.empty();
    return false;
  });
  return found;
}

bool FileSystem::exists(std::string_view name) {
  std::string key = without_slash(clean_name(name));
  if (!key.empty() && store_->exists(key)) return true;
  return isdir(key);
}

std::vector<std::string> FileSystem::keys_below(const std::string& prefix) {
  std::vector<std::string> keys;
  store_->list_pages(prefix, {}, [&](ListPage& page) {
    for (ObjectInfo& info : page.objects) keys.push_back(std::move(info.key));
    return true;
  });
  return keys;
}

std::vector<std::string> FileSystem::glob(std::string_view pattern_text,
                                          const GlobOptions& options) {
  std::string cleaned = clean_name(pattern_text);
  GlobPattern pattern(cleaned, options.syntax);
  if (pattern.is_literal()) {
    // cottoncandy (fnmatch) lists a literal pattern as a raw prefix; ndbucket names one key.
    if (options.syntax == GlobSyntax::Fnmatch) return keys_below(pattern.literal_prefix());
    std::string key = without_slash(pattern.literal_prefix());
    std::vector<std::string> found;
    if (!key.empty() && store_->exists(key)) found.push_back(key);
    if (options.include_subtree) {
      std::vector<std::string> below = keys_below(as_directory(key));
      found.insert(found.end(), below.begin(), below.end());
    }
    return found;
  }
  std::vector<std::string> matches;
  store_->list_pages(pattern.literal_prefix(), {}, [&](ListPage& page) {
    for (ObjectInfo& info : page.objects) {
      if (pattern.matches(info.key)) matches.push_back(std::move(info.key));
    }
    return true;
  });
  return matches;
}

std::vector<std::string> FileSystem::lsdir(std::string_view directory) {
  std::vector<std::string> directories, objects;
  store_->list_pages(as_directory(directory), {.delimiter = "/"}, [&](ListPage& page) {
    for (std::string& prefix : page.common_prefixes) directories.push_back(std::move(prefix));
    for (ObjectInfo& info : page.objects) objects.push_back(std::move(info.key));
    return true;
  });
  directories.insert(directories.end(), objects.begin(), objects.end());
  return directories;
}

std::vector<std::string> FileSystem::ls(std::string_view pattern_or_directory) {
  std::string name = clean_name(pattern_or_directory);
  if (GlobPattern::has_wildcards(name)) return glob(name);
  if (name.empty() || name.back() == '/' || isdir(name)) return lsdir(name);
  if (store_->exists(name)) return {name};
  return {};
}

void FileSystem::walk(std::string_view directory,
                      const std::function<bool(const WalkEntry&)>& visit) {
  std::vector<std::string> pending = {as_directory(directory)};
  while (!pending.empty()) {
    WalkEntry entry{pending.back(), {}, {}};
    pending.pop_back();
    std::vector<std::string> children;
    for (std::string& child : lsdir(entry.directory)) {
      std::string name = child.substr(entry.directory.size());
      if (child.back() == '/') {
        children.push_back(child);
        name.pop_back();
        entry.subdirectories.push_back(std::move(name));
      } else {
        entry.objects.push_back(std::move(name));
      }
    }
    if (!visit(entry)) return;
    // Reversed onto the stack so directories are visited in order, top-down.
    pending.insert(pending.end(), children.rbegin(), children.rend());
  }
}

std::string FileSystem::tree(std::string_view directory) {
  std::string root = as_directory(directory);
  std::string drawing = (root.empty() ? std::string(".") : root) + "\n";
  std::function<void(const std::string&, const std::string&)> draw =
      [&](const std::string& dir, const std::string& indent) {
        std::vector<std::string> children = lsdir(dir);
        for (std::size_t i = 0; i < children.size(); ++i) {
          bool last = i + 1 == children.size();
          drawing += indent + (last ? "└── " : "├── ") + children[i].substr(dir.size()) + "\n";
          if (children[i].back() == '/') draw(children[i], indent + (last ? "    " : "│   "));
        }
      };
  draw(root, "");
  return drawing;
}

DiskUsage FileSystem::du(std::string_view prefix, int concurrency) {
  std::string root = as_directory(prefix);
  DiskUsage usage;
  std::vector<std::string> subdirectories;
  store_->list_pages(root, {.delimiter = "/"}, [&](ListPage& page) {
    for (const ObjectInfo& info : page.objects) {
      usage.bytes += info.size;
      ++usage.objects;
    }
    for (std::string& sub : page.common_prefixes) subdirectories.push_back(std::move(sub));
    return true;
  });
  std::vector<DiskUsage> parts(subdirectories.size());
  detail::for_each_parallel(subdirectories.size(), concurrency, [&](std::size_t i) {
    store_->list_pages(subdirectories[i], {}, [&](ListPage& page) {
      for (const ObjectInfo& info : page.objects) {
        parts[i].bytes += info.size;
        ++parts[i].objects;
      }
      return true;
    });
  });
  for (const DiskUsage& part : parts) {
    usage.bytes += part.bytes;
    usage.objects += part.objects;
  }
  return usage;
}

std::size_t FileSystem::cp(std::string_view source, std::string_view destination,
                           const CopyOptions& options) {
  return copy_to(*this, source, destination, options);
}

std::size_t FileSystem::copy_to(FileSystem& target, std::string_view source_name,
                                std::string_view destination_name, const CopyOptions& options) {
  bool same_store = target.store_ == store_;
  std::string source = without_slash(clean_name(source_name));
  std::string destination = without_slash(clean_name(destination_name));
  // (source key, destination key, size) of everything to copy.
  struct Item {
    std::string from, to;
    std::uint64_t size;
  };
  std::vector<Item> items;
  std::optional<ObjectInfo> object = source.empty() ? std::nullopt : store_->head(source);
  if (object && !options.recursive) {
    items.push_back({source, destination, object->size});
  } else {
    std::string from_dir = as_directory(source);
    std::string to_dir = as_directory(destination);
    bool is_directory = isdir(source);
    if (!is_directory && !object) {
      throw Error(ErrorCode::NotFound, "nothing to copy at " + store_->describe(source));
    }
    if (is_directory && !options.recursive) {
      throw Error(ErrorCode::InvalidArgument,
                  store_->describe(source) + " is a directory: copy it recursively");
    }
    if (same_store && to_dir.starts_with(from_dir)) {
      throw Error(ErrorCode::InvalidArgument,
                  "cannot copy " + store_->describe(source) + " into itself (" + destination + ")");
    }
    if (object) items.push_back({source, destination, object->size});
    store_->list_pages(from_dir, {}, [&](ListPage& page) {
      for (const ObjectInfo& info : page.objects) {
        items.push_back({info.key, to_dir + info.key.substr(from_dir.size()), info.size});
      }
      return true;
    });
  }
  if (!options.overwrite) {
    // Checked for every item before the first copy, so a refusal leaves the store unchanged.
    std::atomic<bool> clash{false};
    std::string clashing;
    std::mutex clash_mutex;
    detail::for_each_parallel(items.size(), options.concurrency, [&](std::size_t i) {
      if (!clash && target.store_->exists(items[i].to)) {
        std::lock_guard guard(clash_mutex);
        clash = true;
        clashing = items[i].to;
      }
    });
    if (clash) {
      throw Error(ErrorCode::AlreadyExists,
                  target.store_->describe(clashing) + " exists; ask to overwrite to replace it");
    }
  }
  std::uint64_t total = 0;
  for (const Item& item : items) total += item.size;
  Progress progress(options.progress, total);
  detail::for_each_parallel(items.size(), options.concurrency, [&](std::size_t i) {
    if (same_store) {
      store_->copy(items[i].from, items[i].to);
    } else {
      // Between stores the bytes pass through here, with their metadata and content type.
      GetResult object_read = store_->get(items[i].from);
      target.store_->put(items[i].to, object_read.body,
                         {object_read.info.metadata, object_read.info.content_type});
    }
    progress.add(items[i].size);
  });
  return items.size();
}

std::size_t FileSystem::mv(std::string_view source, std::string_view destination,
                           const CopyOptions& options) {
  std::string from = without_slash(clean_name(source));
  bool whole_directory = options.recursive && isdir(from);
  bool object = store_->exists(from);
  std::size_t moved = cp(source, destination, options);
  if (object) store_->remove(from);
  if (whole_directory) rm(from, /*recursive=*/true);
  return moved;
}

std::size_t FileSystem::rm(std::string_view name_text, bool recursive) {
  std::string name = without_slash(clean_name(name_text));
  bool object = !name.empty() && store_->exists(name);
  bool directory = isdir(name);
  if (!object && !directory) {
    throw Error(ErrorCode::NotFound, "nothing to delete at " + store_->describe(name));
  }
  if (directory && !recursive && !object) {
    throw Error(ErrorCode::InvalidArgument,
                store_->describe(name) + " is a directory: delete it recursively");
  }
  std::vector<std::string> doomed;
  if (object) doomed.push_back(name);
  // Exactly "name/...": the prefix ends in '/', so "name2/..." and "name.txt" never match.
  if (directory && recursive) {
    std::vector<std::string> below = keys_below(as_directory(name));
    doomed.insert(doomed.end(), below.begin(), below.end());
  }
  for (std::size_t start = 0; start < doomed.size(); start += kDeleteBatch) {
    std::vector<std::string> batch(doomed.begin() + static_cast<std::ptrdiff_t>(start),
                                   doomed.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                        doomed.size(), start + kDeleteBatch)));
    std::vector<std::optional<Error>> errors = store_->remove_many(batch);
    for (const std::optional<Error>& error : errors) {
      if (error) throw *error;
    }
  }
  return doomed.size();
}

std::size_t FileSystem::upload_directory(const std::string& local, std::string_view prefix,
                                         const CopyOptions& options,
                                         const std::vector<std::string>& include,
                                         const std::vector<std::string>& exclude) {
  namespace stdfs = std::filesystem;
  std::error_code ec;
  if (!stdfs::is_directory(local, ec)) {
    throw Error(ErrorCode::NotFound, "no local directory '" + local + "'");
  }
  std::vector<GlobPattern> included = compile_all(include), excluded = compile_all(exclude);
  std::string to_dir = as_directory(prefix);
  struct Item {
    stdfs::path path;
    std::string key;
    std::uint64_t size;
  };
  std::vector<Item> items;
  for (stdfs::recursive_directory_iterator it(local, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::string relative = stdfs::relative(it->path(), local).generic_string();
    if (!selected(relative, included, excluded)) continue;
    items.push_back({it->path(), to_dir + relative, it->file_size()});
  }
  if (ec) throw Error(ErrorCode::Io, "cannot read the local directory '" + local + "'");
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.key < b.key; });
  if (!options.overwrite) {
    std::vector<std::string> existing = keys_below(to_dir);
    for (const Item& item : items) {
      if (std::binary_search(existing.begin(), existing.end(), item.key)) {
        throw Error(ErrorCode::AlreadyExists,
                    store_->describe(item.key) + " exists; ask to overwrite to replace it");
      }
    }
  }
  std::uint64_t total = 0;
  for (const Item& item : items) total += item.size;
  Progress progress(options.progress, total);
  detail::for_each_parallel(items.size(), options.concurrency, [&](std::size_t i) {
    MappedFile file(items[i].path);
    store_->put(items[i].key, file.bytes());
    progress.add(items[i].size);
  });
  return items.size();
}

std::size_t FileSystem::download_directory(std::string_view prefix, const std::string& local,
                                           const CopyOptions& options,
                                           const std::vector<std::string>& include,
                                           const std::vector<std::string>& exclude) {
  namespace stdfs = std::filesystem;
  std::vector<GlobPattern> included = compile_all(include), excluded = compile_all(exclude);
  std::string from_dir = as_directory(prefix);
  struct Item {
    std::string key;
    stdfs::path path;
    std::uint64_t size;
  };
  std::vector<Item> items;
  stdfs::path root = stdfs::absolute(local).lexically_normal();
  store_->list_pages(from_dir, {}, [&](ListPage& page) {
    for (const ObjectInfo& info : page.objects) {
      std::string relative = info.key.substr(from_dir.size());
      if (!selected(relative, included, excluded)) continue;
      stdfs::path target = (root / relative).lexically_normal();
      auto [root_end, unused] =
          std::mismatch(root.begin(), root.end(), target.begin(), target.end());
      if (root_end != root.end() || relative.empty() || relative.back() == '/') {
        throw Error(ErrorCode::InvalidArgument, "refusing to download " +
                                                    store_->describe(info.key) +
                                                    ": its name leaves '" + local + "'");
      }
      items.push_back({info.key, target, info.size});
    }
    return true;
  });
  if (!options.overwrite) {
    for (const Item& item : items) {
      if (stdfs::exists(item.path)) {
        throw Error(ErrorCode::AlreadyExists,
                    "'" + item.path.string() + "' exists; ask to overwrite to replace it");
      }
    }
  }
  std::uint64_t total = 0;
  for (const Item& item : items) total += item.size;
  Progress progress(options.progress, total);
  detail::for_each_parallel(items.size(), options.concurrency, [&](std::size_t i) {
    const Item& item = items[i];
    stdfs::create_directories(item.path.parent_path());
    Bytes body(item.size);
    store_->get_into(item.key, body);
    // A temporary name until complete: an interrupted download leaves no truncated file.
    stdfs::path partial = item.path;
    partial += ".ndbucket-part";
    {
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(body.data()),
                static_cast<std::streamsize>(body.size()));
      if (!out) throw Error(ErrorCode::Io, "cannot write '" + partial.string() + "'");
    }
    stdfs::rename(partial, item.path);
    progress.add(item.size);
  });
  return items.size();
}

}  // namespace ndbucket
