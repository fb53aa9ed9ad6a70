// Helpers shared by the test suites.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "ndbucket/core/bytes.hpp"
#include "ndbucket/core/error.hpp"
#include "ndbucket/store/file_store.hpp"

namespace ndbucket::testing {

// The ErrorCode `f` throws; records a test failure when it throws nothing.
template <typename F>
ErrorCode error_code_of(F&& f) {
  try {
    f();
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "no error was raised";
  return ErrorCode::Io;
}

// A new, empty directory under the build tree, unique per process and call.
inline std::filesystem::path fresh_test_dir(const std::string& label) {
  static std::atomic<int> counter{0};
  std::filesystem::path dir =
      std::filesystem::path(NDBUCKET_BINARY_DIR) / "test-tmp" /
      (label + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// `size` pseudo-random bytes, the same for the same seed (test bodies that catch any mix-up).
inline Bytes random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; i += 8) {
    std::uint64_t value = rng();
    std::memcpy(bytes.data() + i, &value, std::min<std::size_t>(8, size - i));
  }
  return bytes;
}

// Writes bytes to a local file (a test fixture's input), failing the test if it cannot.
inline void write_file(const std::filesystem::path& path, ByteSpan bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// The whole content of a local file (empty when it cannot be read).
inline Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return to_bytes(buffer.str());
}

// A FileStore on a fresh directory under the build tree, removed with the returned store.
inline std::shared_ptr<ObjectStore> make_temp_file_store(const std::string& label) {
  std::filesystem::path dir = fresh_test_dir(label);
  return std::shared_ptr<ObjectStore>(new FileStore(dir), [dir](ObjectStore* store) {
    delete store;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  });
}

}  // namespace ndbucket::testing
