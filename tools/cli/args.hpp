// Command-line parsing for the ndbucket tool: flags, options with values, positionals.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ndbucket::cli {

// Bad usage: the tool prints the message and the command's usage, and exits with 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a command accepts: flags (no value) and options (one value, may repeat), each with
// optional one-letter aliases ("-r" for "--recursive").
struct ArgSpec {
  std::set<std::string> flags;
  std::set<std::string> options;
  std::map<char, std::string> short_names;
};

class Args {
 public:
  // Parses argv after the command name. "--" ends options; "-" is a positional (stdin/stdout).
  // Throws UsageError for unknown options or a missing value.
  Args(const std::vector<std::string>& argv, const ArgSpec& spec);

  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> option(const std::string& name) const;
  std::vector<std::string> options(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  // Throws UsageError unless the positional count is within [min, max].
  void expect_positionals(std::size_t min, std::size_t max) const;

 private:
  std::set<std::string> flags_;
  std::multimap<std::string, std::string> options_;
  std::vector<std::string> positionals_;
};

}  // namespace ndbucket::cli
