// Inputs the fuzzers found to crash, replayed in the normal test suite (and so under ASan and
// UBSan in the sanitizer pass). The crashing files also live in tests/fuzz/corpus/.
#include <gtest/gtest.h>

#include "fuzz/fuzz_support.hpp"

namespace ndbucket::testing {
namespace {

const std::string kFarFutureListing =
    "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>x</Key>"
    "<LastModified>8391-11-23T13:00:00.123Z</LastModified><Size>1</Size></Contents>"
    "<Contents><Key>y</Key><LastModified>0442-11-23T13:00:00Z</LastModified><Size>2</Size>"
    "</Contents></ListBucketResult>";

// s3_list found it: a LastModified year outside 1678-2262 overflowed system_clock (UB).
TEST(FuzzRegression, ListingDatesOutsideTheClocksRangeAreUnknown) {
  S3Store store = fuzz::store_answering(as_bytes(kFarFutureListing));
  ListResult listed = store.list("");
  ASSERT_EQ(listed.objects.size(), 2u);
  EXPECT_EQ(listed.objects[0].last_modified, std::chrono::system_clock::time_point{});
  EXPECT_EQ(listed.objects[1].last_modified, std::chrono::system_clock::time_point{});
  EXPECT_EQ(listed.objects[1].size, 2u);
}

// s3_multipart_list found the same in Initiated.
TEST(FuzzRegression, UploadDatesOutsideTheClocksRangeAreUnknown) {
  std::string document =
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>k</Key>"
      "<UploadId>id</UploadId><Initiated>3953-11-23T13:00:00.000Z</Initiated></Upload>"
      "</ListMultipartUploadsResult>";
  S3Store store = fuzz::store_answering(as_bytes(document));
  auto uploads = store.list_multipart_uploads();
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].initiated, std::chrono::system_clock::time_point{});
}

}  // namespace
}  // namespace ndbucket::testing
