// The ObjectStore conformance suite: every backend and decorator stack instantiates it with a
// factory, e.g.
//   INSTANTIATE_TEST_SUITE_P(Memory, StoreConformance,
//                            ::testing::Values(StoreFactory{"Memory", make_memory}),
//                            StoreFactory::Name);
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "ndbucket/store/object_store.hpp"
#include "support/test_util.hpp"

namespace ndbucket::testing {

struct StoreFactory {
  std::string name;
  // Returns a fresh, empty store; the store's deleter cleans up whatever backs it.
  std::function<std::shared_ptr<ObjectStore>()> make;

  static std::string Name(const ::testing::TestParamInfo<StoreFactory>& info) {
    return info.param.name;
  }
};

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(); }
  void TearDown() override { store_.reset(); }

  std::shared_ptr<ObjectStore> store_;
};

}  // namespace ndbucket::testing

namespace ndbucket::testing {
// Shows the factory's name (not its bytes) in test names and failure messages.
inline void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }
}  // namespace ndbucket::testing
