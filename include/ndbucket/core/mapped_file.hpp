// A local file's bytes mapped into memory, so uploading it reads the file in place (no copy).
#pragma once

#include <cstddef>
#include <filesystem>

#include "ndbucket/core/bytes.hpp"

namespace ndbucket {

class MappedFile {
 public:
  // Maps the regular file at `path` read-only. Errors: NotFound (no such file), InvalidArgument
  // (not a regular file), Io. Thread safety: bytes() of one object may be read concurrently.
  explicit MappedFile(const std::filesystem::path& path);
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  ByteSpan bytes() const { return {static_cast<const std::byte*>(data_), size_}; }

 private:
  void* data_ = nullptr;  // null for an empty file
  std::size_t size_ = 0;
};

}  // namespace ndbucket
