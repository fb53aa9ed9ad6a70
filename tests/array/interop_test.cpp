// Interop with NumPy, numcodecs, scipy and cottoncandy's layout through NDBUCKET_PYTHON (Debian's
// packages) on a directory store: one Python process checks every array ndbucket wrote and
// writes arrays exactly as cottoncandy does, which ndbucket then reads.
#include <gtest/gtest.h>

#include "array/interop_cases.hpp"
#include "ndbucket/store/file_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket::interop {
namespace {

std::shared_ptr<ObjectStore> directory_store(const fs::path& root) {
  return std::make_shared<FileStore>(root, FileStoreOptions{.create_root = true, .sync = false});
}

TEST(Interop, NumpyAndCottoncandyBothWays) {
  fs::path dir = testing::fresh_test_dir("array-interop");
  // The script reads a body as the file DIR/cpp/<key>: the directory store's own layout.
  ASSERT_GT(write_cpp_cases(dir, directory_store(dir / "cpp")).size(), 500u);
  write_npy_cases(dir);
  write_sparse_cases(dir, directory_store(dir / "sparse_cpp"));
  run_python(dir);
  if (HasFatalFailure()) return;
  auto store = directory_store(dir / "store-from-python");
  check_python_cases(dir, *store, /*put_first=*/true);
}

}  // namespace
}  // namespace ndbucket::interop
