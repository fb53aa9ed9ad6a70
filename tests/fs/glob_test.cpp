#include "ndbucket/fs/glob.hpp"

#include <gtest/gtest.h>

#include "support/test_util.hpp"

namespace ndbucket::testing {
namespace {

bool matches(const char* pattern, const char* key, GlobSyntax syntax = GlobSyntax::Path) {
  return GlobPattern(pattern, syntax).matches(key);
}

TEST(GlobTest, StarAndQuestionMarkStopAtSlashes) {
  EXPECT_TRUE(matches("a/*.npy", "a/x.npy"));
  EXPECT_FALSE(matches("a/*.npy", "a/b/x.npy"));
  EXPECT_TRUE(matches("a/?", "a/b"));
  EXPECT_FALSE(matches("a?b", "a/b"));
  EXPECT_TRUE(matches("*", "top"));
  EXPECT_FALSE(matches("*", "a/b"));
  EXPECT_TRUE(matches("a/*", "a/"));  // an empty run
}

TEST(GlobTest, DoubleStarCrossesSlashesAtStartMiddleAndEnd) {
  EXPECT_TRUE(matches("**/x.npy", "x.npy"));
  EXPECT_TRUE(matches("**/x.npy", "a/b/x.npy"));
  EXPECT_FALSE(matches("**/x.npy", "a/bx.npy"));
  EXPECT_TRUE(matches("a/**/b", "a/b"));
  EXPECT_TRUE(matches("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(matches("a/**/b", "a/xb"));
  EXPECT_TRUE(matches("a/**", "a/x/y/z"));
  EXPECT_FALSE(matches("a/**", "ab/x"));
  EXPECT_TRUE(matches("a**z", "a/b/z"));
  EXPECT_TRUE(matches("**", "any/thing/at/all"));
  EXPECT_TRUE(matches("a/***/b", "a/x/b"));
}

TEST(GlobTest, ClassesRangesNegationAndEscapes) {
  EXPECT_TRUE(matches("run[12]/x", "run1/x"));
  EXPECT_FALSE(matches("run[12]/x", "run3/x"));
  EXPECT_TRUE(matches("run[!12]/x", "run3/x"));
  EXPECT_FALSE(matches("run[!12]/x", "run1/x"));
  EXPECT_TRUE(matches("f[a-c]", "fb"));
  EXPECT_FALSE(matches("f[a-c]", "fd"));
  EXPECT_FALSE(matches("a[!x]b", "a/b"));  // a class never matches '/'
  EXPECT_TRUE(matches("[]]", "]"));
  EXPECT_TRUE(matches("lit\\*eral", "lit*eral"));
  EXPECT_FALSE(matches("lit\\*eral", "litXeral"));
  EXPECT_TRUE(matches("what\\?", "what?"));
  EXPECT_TRUE(matches("br\\[1\\]", "br[1]"));
  EXPECT_EQ(error_code_of([] { GlobPattern("a[bc"); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(error_code_of([] { GlobPattern("trailing\\"); }), ErrorCode::InvalidArgument);
}

TEST(GlobTest, LiteralPrefixAndLiteralPatterns) {
  EXPECT_EQ(GlobPattern("data/run1/*.npy").literal_prefix(), "data/run1/");
  EXPECT_EQ(GlobPattern("data/ru?1").literal_prefix(), "data/ru");
  EXPECT_EQ(GlobPattern("a\\*b*").literal_prefix(), "a*b");
  EXPECT_TRUE(GlobPattern("plain/key").is_literal());
  EXPECT_FALSE(GlobPattern("plain/k*").is_literal());
  EXPECT_TRUE(GlobPattern::has_wildcards("a/*"));
  EXPECT_FALSE(GlobPattern::has_wildcards("a/\\*"));
}

TEST(GlobTest, FnmatchSyntaxForPortedCottoncandyCode) {
  EXPECT_TRUE(matches("a/*.npy", "a/b/x.npy", GlobSyntax::Fnmatch));
  EXPECT_TRUE(matches("a?b", "a/b", GlobSyntax::Fnmatch));
  EXPECT_TRUE(matches("[^x]", "y", GlobSyntax::Fnmatch));
  EXPECT_TRUE(matches("a[b", "a[b", GlobSyntax::Fnmatch));
}

TEST(GlobTest, HostilePatternsStayLinear) {
  std::string pattern, key(5000, 'a');
  for (int i = 0; i < 200; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(GlobPattern(pattern).matches(key));  // returns at once, no backtracking
}

}  // namespace
}  // namespace ndbucket::testing
