#include "ndbucket/store/key.hpp"

#include <gtest/gtest.h>

#include "ndbucket/core/error.hpp"

namespace ndbucket {
namespace {

TEST(KeyTest, AcceptsOrdinaryKeys) {
  for (const char* key : {"a", "a/b/c", "with space", "unicode/\xc3\xa9t\xc3\xa9", "p+q=r%20",
                          "..dots", "a..b", ".hidden", "a//b", "trailing/"}) {
    EXPECT_TRUE(is_valid_key(key)) << key;
  }
}

TEST(KeyTest, RefusesKeysThatAliasOrEscape) {
  using namespace std::string_literals;
  for (const std::string& key :
       {""s, "."s, ".."s, "../x"s, "a/../b"s, "a/./b"s, "a/.."s, "./a"s, "a\0b"s}) {
    std::string why;
    EXPECT_FALSE(is_valid_key(key, &why)) << key;
    EXPECT_FALSE(why.empty());
    try {
      validate_key(key, "mem://t");
      ADD_FAILURE() << "accepted " << key;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::InvalidArgument);
      EXPECT_NE(std::string(error.what()).find("mem://t"), std::string::npos);
    }
  }
}

TEST(KeyTest, LowerCasesOnlyAscii) { EXPECT_EQ(ascii_lower("DType-\xc3\x89"), "dtype-\xc3\x89"); }

}  // namespace
}  // namespace ndbucket
