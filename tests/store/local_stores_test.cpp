// The conformance suite over the local backends and the PrefixStore decorator.
#include "ndbucket/store/memory_store.hpp"
#include "ndbucket/store/prefix_store.hpp"
#include "store/conformance.hpp"

namespace ndbucket::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Local, StoreConformance,
    ::testing::Values(StoreFactory{"Memory",
                                   [] { return std::make_shared<MemoryStore>("conformance"); }},
                      StoreFactory{"File", [] { return make_temp_file_store("conformance"); }},
                      StoreFactory{"PrefixOverMemory",
                                   [] {
                                     return std::make_shared<PrefixStore>(
                                         std::make_shared<MemoryStore>("conformance"), "deep/er");
                                   }},
                      StoreFactory{"PrefixOverFile",
                                   [] {
                                     return std::make_shared<PrefixStore>(
                                         make_temp_file_store("prefixed"), "run1");
                                   }}),
    StoreFactory::Name);

}  // namespace
}  // namespace ndbucket::testing
