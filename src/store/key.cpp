#include "ndbucket/store/key.hpp"

#include "ndbucket/core/error.hpp"

namespace ndbucket {

bool is_valid_key(std::string_view key, std::string* why) {
  auto fail = [&](const char* reason) {
    if (why) *why = reason;
    return false;
  };
  if (key.empty()) return fail("an empty key names no object");
  if (key.find('\0') != std::string_view::npos) return fail("keys may not contain a NUL byte");
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment == "." || segment == "..") {
      return fail("keys may not contain a '.' or '..' segment");
    }
    start = end + 1;
  }
  return true;
}

void validate_key(std::string_view key, std::string_view store_url) {
  std::string why;
  if (!is_valid_key(key, &why)) {
    std::string shown(key);
    for (char& c : shown) {
      if (c == '\0') c = '?';
    }
    throw Error(ErrorCode::InvalidArgument,
                "invalid key '" + shown + "' in " + std::string(store_url) + ": " + why);
  }
}

std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace ndbucket
