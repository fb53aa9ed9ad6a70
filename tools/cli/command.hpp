// A subcommand of the ndbucket tool.
#pragma once

#include <string>
#include <vector>

#include "cli/args.hpp"

namespace ndbucket::cli {

struct Command {
  std::string name;
  std::string summary;  // one line for the command list
  std::string usage;    // the whole --help text
  ArgSpec spec;
  // Runs the command; returns the exit code. Throws ndbucket::Error (exit 1) or UsageError (2).
  int (*run)(const Args& args);
};

// The object commands: ls, cat, put, get, rm, info.
std::vector<Command> object_commands();

}  // namespace ndbucket::cli
