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

// The single-object commands: cat, put, get, info.
std::vector<Command> object_commands();
// The directory and pattern commands: ls, glob, tree, du, cp, mv, rm.
std::vector<Command> fs_commands();
// The `array` command (info, get, put, show of raw and .npy arrays). main hands it
// its arguments through run_array_command, which parses each subcommand's options
// and --help and returns the exit code (0, 1 error, 2 bad usage).
std::vector<Command> array_commands();
int run_array_command(const std::vector<std::string>& args);
// The `h5` command (import, export of HDF5 files), dispatched like `array`.
std::vector<Command> h5_commands();
int run_h5_command(const std::vector<std::string>& args);

// Runs subcommand args[0] of `group` from `commands`: --help for the group or a subcommand,
// usage errors (exit 2) and errors (exit 1) reported as "ndbucket GROUP SUB: message".
int run_command_group(const std::string& group, const char* usage,
                      const std::vector<Command>& commands, const std::vector<std::string>& args);

}  // namespace ndbucket::cli
