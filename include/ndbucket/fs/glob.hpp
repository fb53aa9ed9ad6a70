// Glob patterns over object keys.
//
// ndbucket's syntax: `?` matches one character and `*` any run of characters, neither crossing
// '/'; `**` matches any run including '/', and `**/` also matches nothing, so "a/**/b" matches
// "a/b" and "a/x/y/b"; `[abc]`, `[a-z]` and `[!abc]` are classes of one character (never '/');
// a backslash makes the next character literal. cottoncandy's behaviour (Python's fnmatch,
// where `*` and `?` also cross '/') is available with GlobSyntax::Fnmatch for ported code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ndbucket {

enum class GlobSyntax {
  Path,     // `*` and `?` stop at '/', `**` crosses it (the default)
  Fnmatch,  // Python fnmatch: `*` and `?` cross '/' too, no `**`, no escapes
};

class GlobPattern {
 public:
  // Compiles `pattern`. Errors: InvalidArgument for an unterminated class or a trailing
  // backslash. Thread safety: the compiled pattern is immutable.
  explicit GlobPattern(std::string_view pattern, GlobSyntax syntax = GlobSyntax::Path);

  // Whether `key` matches the whole pattern. Linear in pattern x key length (no backtracking
  // blow-up on hostile patterns).
  bool matches(std::string_view key) const;

  // The characters every match starts with: what a listing can be restricted to.
  const std::string& literal_prefix() const { return literal_prefix_; }
  // True when the pattern has no wildcard at all (it names one key).
  bool is_literal() const { return is_literal_; }
  const std::string& pattern() const { return pattern_; }

  // Whether `text` holds an unescaped wildcard character of `syntax`. Thread safety: pure.
  static bool has_wildcards(std::string_view text, GlobSyntax syntax = GlobSyntax::Path);

 private:
  struct Token {
    enum Kind { Literal, AnyOne, AnyRun, AnyPath, AnyDirs, Class } kind = Literal;
    char literal = 0;
    std::vector<std::pair<unsigned char, unsigned char>> ranges;  // for Class
    bool negated = false;
    bool crosses_slash = false;  // fnmatch: `?`, `*` and classes match '/' too
  };
  bool token_matches_char(const Token& token, unsigned char c) const;

  std::string pattern_;
  std::vector<Token> tokens_;
  std::string literal_prefix_;
  bool is_literal_ = true;
};

}  // namespace ndbucket
