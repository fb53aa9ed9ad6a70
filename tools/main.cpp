// The ndbucket command-line tool: dispatches to one subcommand per store operation.
// Exit codes: 0 success, 1 error (message on stderr naming the URL), 2 bad usage.
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "ndbucket/core/error.hpp"

namespace {

constexpr const char* kVersion = "0.1.0";

void print_overview(const std::vector<ndbucket::cli::Command>& commands, std::ostream& out) {
  out << "usage: ndbucket COMMAND [ARGS...]\n"
         "Stores arrays and objects in S3 buckets or local directories.\n"
         "URLs: file:///abs/path, a local path, mem://name/path, s3://bucket/path\n\n"
         "commands:\n";
  for (const auto& command : commands) {
    out << "  " << command.name << std::string(8 - command.name.size(), ' ') << command.summary
        << "\n";
  }
  out << "\nRun 'ndbucket COMMAND --help' for a command's arguments.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<ndbucket::cli::Command> commands = ndbucket::cli::object_commands();
  // `array` groups subcommands (info, get, put, show) with their own --help.
  for (auto& entry : ndbucket::cli::array_commands()) commands.push_back(std::move(entry));
  for (auto& command : ndbucket::cli::fs_commands()) commands.push_back(std::move(command));
  for (auto& entry : ndbucket::cli::h5_commands()) commands.push_back(std::move(entry));
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_overview(commands, std::cerr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview(commands, std::cout);
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "ndbucket " << kVersion << "\n";
    return 0;
  }
  const ndbucket::cli::Command* command = nullptr;
  for (const auto& candidate : commands) {
    if (candidate.name == args[0]) command = &candidate;
  }
  if (!command) {
    std::cerr << "ndbucket: unknown command '" << args[0] << "'\n\n";
    print_overview(commands, std::cerr);
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command->name == "array") return ndbucket::cli::run_array_command(rest);
  if (command->name == "h5") return ndbucket::cli::run_h5_command(rest);
  for (const std::string& arg : rest) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      std::cout << command->usage << "\n";
      return 0;
    }
  }
  try {
    ndbucket::cli::Args parsed(rest, command->spec);
    return command->run(parsed);
  } catch (const ndbucket::cli::UsageError& error) {
    std::cerr << "ndbucket " << command->name << ": " << error.what() << "\n"
              << command->usage << "\n";
    return 2;
  } catch (const ndbucket::Error& error) {
    std::cerr << "ndbucket " << command->name << ": " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "ndbucket " << command->name << ": " << error.what() << "\n";
    return 1;
  }
}
