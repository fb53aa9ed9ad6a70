#include "cli/args.hpp"

namespace ndbucket::cli {

Args::Args(const std::vector<std::string>& argv, const ArgSpec& spec) {
  bool options_done = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_done || arg == "-" || arg.empty() || arg[0] != '-') {
      positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name;
    std::optional<std::string> value;
    if (arg.starts_with("--")) {
      name = arg.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
    } else {
      // Bundled short flags: "-rf" is "-r -f".
      for (std::size_t c = 1; c < arg.size(); ++c) {
        auto it = spec.short_names.find(arg[c]);
        if (it == spec.short_names.end()) {
          throw UsageError("unknown option '-" + std::string(1, arg[c]) + "'");
        }
        if (spec.options.count(it->second)) {
          if (c + 1 != arg.size() || i + 1 >= argv.size()) {
            throw UsageError("option '-" + std::string(1, arg[c]) + "' needs a value");
          }
          options_.emplace(it->second, argv[++i]);
        } else {
          flags_.insert(it->second);
        }
      }
      continue;
    }
    if (spec.flags.count(name)) {
      if (value) throw UsageError("flag '--" + name + "' takes no value");
      flags_.insert(name);
    } else if (spec.options.count(name)) {
      if (!value) {
        if (i + 1 >= argv.size()) throw UsageError("option '--" + name + "' needs a value");
        value = argv[++i];
      }
      options_.emplace(name, *value);
    } else {
      throw UsageError("unknown option '--" + name + "'");
    }
  }
}

std::optional<std::string> Args::option(const std::string& name) const {
  auto range = options_.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;  // the last one given wins
}

std::vector<std::string> Args::options(const std::string& name) const {
  std::vector<std::string> values;
  for (auto [it, end] = options_.equal_range(name); it != end; ++it) values.push_back(it->second);
  return values;
}

void Args::expect_positionals(std::size_t min, std::size_t max) const {
  if (positionals_.size() < min) throw UsageError("missing arguments");
  if (positionals_.size() > max) throw UsageError("too many arguments");
}

}  // namespace ndbucket::cli
