#include "ndbucket/fs/glob.hpp"

#include "ndbucket/core/error.hpp"

namespace ndbucket {

GlobPattern::GlobPattern(std::string_view pattern, GlobSyntax syntax) : pattern_(pattern) {
  bool fnmatch = syntax == GlobSyntax::Fnmatch;
  bool prefix_open = true;  // still collecting the literal prefix
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    Token token;
    token.crosses_slash = fnmatch;
    if (c == '\\' && !fnmatch) {
      if (i + 1 == pattern.size()) {
        throw Error(ErrorCode::InvalidArgument,
                    "glob pattern '" + pattern_ + "' ends with an escaping backslash");
      }
      token.literal = pattern[++i];
    } else if (c == '?') {
      token.kind = Token::AnyOne;
    } else if (c == '*') {
      bool double_star = !fnmatch && i + 1 < pattern.size() && pattern[i + 1] == '*';
      if (!double_star) {
        token.kind = Token::AnyRun;
      } else {
        i += 1;
        while (i + 1 < pattern.size() && pattern[i + 1] == '*') ++i;  // "***" is "**"
        // "**/" may match no directories at all: "a/**/b" matches "a/b".
        bool at_segment_start = tokens_.empty() || (tokens_.back().kind == Token::Literal &&
                                                    tokens_.back().literal == '/');
        if (at_segment_start && i + 1 < pattern.size() && pattern[i + 1] == '/') {
          ++i;
          token.kind = Token::AnyDirs;
        } else {
          token.kind = Token::AnyPath;
        }
      }
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < pattern.size() && (pattern[j] == '!' || (fnmatch && pattern[j] == '^'))) {
        token.negated = true;
        ++j;
      }
      std::size_t first = j;
      // A ']' right after '[' or '[!' is a member, as in fnmatch and shells.
      while (j < pattern.size() && (pattern[j] != ']' || j == first)) {
        unsigned char low = static_cast<unsigned char>(pattern[j]);
        if (low == '\\' && !fnmatch && j + 1 < pattern.size()) {
          low = static_cast<unsigned char>(pattern[++j]);
        }
        unsigned char high = low;
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
          high = static_cast<unsigned char>(pattern[j + 2]);
          j += 2;
        }
        token.ranges.emplace_back(low, high);
        ++j;
      }
      if (j >= pattern.size()) {
        if (!fnmatch) {
          throw Error(ErrorCode::InvalidArgument,
                      "glob pattern '" + pattern_ + "' has an unterminated '[' class");
        }
        token.literal = '[';  // fnmatch treats a lone '[' as itself
      } else {
        token.kind = Token::Class;
        i = j;
      }
    } else {
      token.literal = c;
    }
    if (token.kind != Token::Literal) {
      prefix_open = false;
      is_literal_ = false;
    } else if (prefix_open) {
      literal_prefix_ += token.literal;
    }
    tokens_.push_back(std::move(token));
  }
}

bool GlobPattern::has_wildcards(std::string_view text, GlobSyntax syntax) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && syntax == GlobSyntax::Path) {
      ++i;
    } else if (text[i] == '*' || text[i] == '?' || text[i] == '[') {
      return true;
    }
  }
  return false;
}

bool GlobPattern::token_matches_char(const Token& token, unsigned char c) const {
  if (c == '/' && !token.crosses_slash) return false;
  if (token.kind == Token::AnyOne) return true;
  bool member = false;
  for (auto [low, high] : token.ranges) member = member || (c >= low && c <= high);
  return member != token.negated;
}

bool GlobPattern::matches(std::string_view key) const {
  // reachable[k]: the tokens so far can consume exactly key[0, k). One pass per token keeps the
  // cost at tokens x key length whatever the pattern.
  std::vector<char> reachable(key.size() + 1, 0);
  reachable[0] = 1;
  for (const Token& token : tokens_) {
    std::vector<char> next(key.size() + 1, 0);
    switch (token.kind) {
      case Token::Literal:
        for (std::size_t k = 0; k < key.size(); ++k) {
          if (reachable[k] && key[k] == token.literal) next[k + 1] = 1;
        }
        break;
      case Token::AnyOne:
      case Token::Class:
        for (std::size_t k = 0; k < key.size(); ++k) {
          if (reachable[k] && token_matches_char(token, static_cast<unsigned char>(key[k]))) {
            next[k + 1] = 1;
          }
        }
        break;
      case Token::AnyRun:
      case Token::AnyPath: {
        bool any_char = token.kind == Token::AnyPath || token.crosses_slash;
        bool carried = false;
        for (std::size_t k = 0; k <= key.size(); ++k) {
          carried = reachable[k] || carried;
          next[k] = carried;
          if (k < key.size() && !any_char && key[k] == '/') carried = false;
        }
        break;
      }
      case Token::AnyDirs: {
        // Nothing, or any run ending in '/'.
        bool carried = false;
        for (std::size_t k = 0; k <= key.size(); ++k) {
          if (reachable[k]) next[k] = 1;
          carried = carried || reachable[k];
          if (carried && k < key.size() && key[k] == '/') next[k + 1] = 1;
        }
        break;
      }
    }
    reachable.swap(next);
  }
  return reachable[key.size()];
}

}  // namespace ndbucket
