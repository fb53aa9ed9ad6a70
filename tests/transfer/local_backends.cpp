// The local stores the transfer suites run on.
#include "ndbucket/store/file_store.hpp"
#include "ndbucket/store/memory_store.hpp"
#include "support/test_util.hpp"
#include "transfer/transfer_test_support.hpp"

namespace ndbucket::testing {

std::vector<Backend> transfer_backends() {
  return {
      {"memory", [] { return std::make_shared<MemoryStore>("transfer"); }},
      // No fsync: thousands of small puts would otherwise take minutes; atomicity holds anyway.
      {"file",
       [] {
         return std::make_shared<FileStore>(fresh_test_dir("transfer"),
                                            FileStoreOptions{.create_root = true, .sync = false});
       }},
  };
}

}  // namespace ndbucket::testing
