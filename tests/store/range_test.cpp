#include <gtest/gtest.h>

#include "ndbucket/core/error.hpp"
#include "ndbucket/store/object_store.hpp"

namespace ndbucket {
namespace {

ErrorCode code_of(const ByteRange& range, std::uint64_t size) {
  try {
    resolve_range(range, size, "k");
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "range was accepted";
  return ErrorCode::Io;
}

TEST(RangeTest, FollowsS3Semantics) {
  auto check = [](const ByteRange& range, std::uint64_t size, std::uint64_t begin,
                  std::uint64_t end) {
    ResolvedRange r = resolve_range(range, size, "k");
    EXPECT_EQ(r.begin, begin);
    EXPECT_EQ(r.end, end);
  };
  check(ByteRange::from(0), 10, 0, 10);
  check(ByteRange::span(2, 3), 10, 2, 5);
  check(ByteRange::span(8, 100), 10, 8, 10);  // cut at the end
  check(ByteRange::last(3), 10, 7, 10);
  check(ByteRange::last(30), 10, 0, 10);  // longer suffix: whole object
  EXPECT_EQ(code_of(ByteRange::from(10), 10), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(ByteRange::from(0), 0), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(ByteRange::last(1), 0), ErrorCode::InvalidArgument);
  EXPECT_EQ(code_of(ByteRange::span(0, 0), 10), ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace ndbucket
