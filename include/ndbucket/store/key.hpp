// Rules for object keys that every store enforces.
#pragma once

#include <string>
#include <string_view>

namespace ndbucket {

// Throws InvalidArgument naming `store_url` when `key` is empty, contains a NUL byte or has a
// "." or ".." segment (such keys would alias or escape on a filesystem and are refused
// everywhere so data moves between backends unchanged). Thread safety: pure.
void validate_key(std::string_view key, std::string_view store_url);

// Same rules, as a yes/no answer with the reason in `why` when false. Thread safety: pure.
bool is_valid_key(std::string_view key, std::string* why = nullptr);

// Lower-cases ASCII letters: S3 stores metadata names lower-cased. Thread safety: pure.
std::string ascii_lower(std::string_view text);

}  // namespace ndbucket
