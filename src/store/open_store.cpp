#include "ndbucket/store/open_store.hpp"

#include <filesystem>

#include "ndbucket/store/memory_store.hpp"
#include "ndbucket/store/prefix_store.hpp"
#include "ndbucket/store/s3_store.hpp"

namespace ndbucket {

namespace fs = std::filesystem;

namespace {

struct ParsedUrl {
  std::string scheme;     // "" for a plain local path
  std::string authority;  // bucket or memory store name (with any user info)
  std::string path;       // without leading '/', for mem and s3; the local path for files
  std::string query;      // after '?', for s3
  std::string shown;      // the URL for messages: without user info, which may hold a secret
};

ParsedUrl parse_url(std::string_view url) {
  if (url.empty()) throw Error(ErrorCode::InvalidArgument, "an empty URL names no store");
  std::string shown = redact_url(url);
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {"", "", std::string(url), "", shown};
  ParsedUrl parsed;
  parsed.shown = shown;
  parsed.scheme = std::string(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  if (parsed.scheme == "file") {
    // RFC 8089: file:///abs/path or file://localhost/abs/path; other hosts are not local.
    if (rest.starts_with("localhost/")) rest.remove_prefix(9);
    if (!rest.starts_with('/')) {
      throw Error(ErrorCode::InvalidArgument,
                  "file URL '" + shown + "' must name an absolute path (file:///path)");
    }
    parsed.path = percent_decode(rest);
    return parsed;
  }
  if (std::size_t mark = rest.find('?'); mark != std::string_view::npos) {
    parsed.query = std::string(rest.substr(mark + 1));
    rest = rest.substr(0, mark);
  }
  std::size_t slash = rest.find('/');
  parsed.authority = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) parsed.path = std::string(rest.substr(slash + 1));
  if (parsed.authority.empty()) {
    throw Error(
        ErrorCode::InvalidArgument,
        "URL '" + shown + "' names no " + (parsed.scheme == "mem" ? "memory store" : "bucket"));
  }
  return parsed;
}

std::shared_ptr<ObjectStore> with_prefix(std::shared_ptr<ObjectStore> store,
                                         std::string_view prefix) {
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  if (prefix.empty()) return store;
  return std::make_shared<PrefixStore>(std::move(store), prefix);
}

std::shared_ptr<ObjectStore> open_local(const std::string& path, const OpenOptions& options) {
  std::error_code ec;
  fs::path target = fs::absolute(fs::path(path), ec).lexically_normal();
  if (ec) throw Error(ErrorCode::InvalidArgument, "cannot resolve the local path '" + path + "'");
  if (!target.has_filename() && target != target.root_path()) {
    target = target.parent_path();  // "dir/" names the directory "dir"
  }
  for (fs::path dir = target;; dir = dir.parent_path()) {
    if (fs::is_directory(dir / FileStore::kStateDir, ec)) {
      FileStoreOptions file_options = options.file;
      file_options.create_root = false;
      std::string relative = target.lexically_relative(dir).generic_string();
      return with_prefix(std::make_shared<FileStore>(dir, file_options),
                         relative == "." ? "" : relative);
    }
    if (dir == dir.root_path() || dir.empty()) break;
  }
  FileStoreOptions file_options = options.file;
  file_options.create_root = options.create;
  return std::make_shared<FileStore>(target, file_options);
}

// The store a parsed URL names, rooted at `path` inside it.
std::shared_ptr<ObjectStore> open_parsed(const ParsedUrl& parsed, std::string_view path,
                                         const OpenOptions& options) {
  if (parsed.scheme.empty() || parsed.scheme == "file") {
    return open_local(path.empty() ? "." : std::string(path), options);
  }
  if (parsed.scheme == "mem") {
    return with_prefix(std::make_shared<MemoryStore>(parsed.authority), path);
  }
  if (parsed.scheme == "s3") {
    S3Config config =
        parse_s3_url("s3://" + parsed.authority + (parsed.query.empty() ? "" : "?" + parsed.query));
    config.prefix = std::string(path);
    return open_s3_store(std::move(config));
  }
  throw Error(ErrorCode::InvalidArgument, "cannot open '" + parsed.shown + "': unknown scheme '" +
                                              parsed.scheme +
                                              "' (expected file://, mem:// or s3://)");
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  std::size_t authority_start = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?", authority_start);
  std::size_t at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_start) return std::string(url);
  return std::string(url.substr(0, authority_start)) + "***@" + std::string(url.substr(at + 1));
}

std::string percent_decode(std::string_view text) {
  auto hex = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw Error(ErrorCode::InvalidArgument, "bad percent escape in '" + std::string(text) + "'");
  };
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      decoded += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      throw Error(ErrorCode::InvalidArgument,
                  "truncated percent escape in '" + std::string(text) + "'");
    }
    decoded += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
    i += 2;
  }
  return decoded;
}

std::shared_ptr<ObjectStore> open_store(std::string_view url, const OpenOptions& options) {
  ParsedUrl parsed = parse_url(url);
  return open_parsed(parsed, parsed.path, options);
}

ObjectLocation open_object(std::string_view url, const OpenOptions& options) {
  ParsedUrl parsed = parse_url(url);
  std::string_view path = parsed.path;
  std::size_t slash = path.rfind('/');
  std::string_view key = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (key.empty()) {
    throw Error(ErrorCode::InvalidArgument,
                "URL '" + parsed.shown + "' names a store or a directory, not an object");
  }
  std::string_view parent = slash == std::string_view::npos ? "" : path.substr(0, slash + 1);
  // A local path "/x" keeps its root as the parent; "x" means the current directory.
  return {open_parsed(parsed, parent, options), std::string(key)};
}

}  // namespace ndbucket
