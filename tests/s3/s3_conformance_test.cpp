// The ObjectStore conformance suite on real S3 servers: Ceph RGW (checks every signature) and
// moto with signature checking on, plus a PrefixStore over RGW.
#include "ndbucket/store/prefix_store.hpp"
#include "s3/test_servers.hpp"
#include "store/conformance.hpp"

namespace ndbucket::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    S3, StoreConformance,
    ::testing::Values(
        StoreFactory{"Rgw", [] { return make_bucket_store(test_server("rgw"), "conf"); }},
        StoreFactory{"Moto", [] { return make_bucket_store(test_server("moto"), "conf"); }},
        StoreFactory{"PrefixOverRgw",
                     [] {
                       return std::make_shared<PrefixStore>(
                           make_bucket_store(test_server("rgw"), "conf"), "run/1");
                     }}),
    StoreFactory::Name);

}  // namespace
}  // namespace ndbucket::testing
