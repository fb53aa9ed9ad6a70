#include <iostream>

#include "cli/command.hpp"

namespace ndbucket::cli {

int run_command_group(const std::string& group, const char* usage,
                      const std::vector<Command>& commands, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << usage << "\n";
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage << "\n";
    return 0;
  }
  const Command* command = nullptr;
  for (const Command& candidate : commands) {
    if (candidate.name == args[0]) command = &candidate;
  }
  if (!command) {
    std::cerr << "ndbucket " << group << ": unknown subcommand '" << args[0] << "'\n\n"
              << usage << "\n";
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  for (const std::string& arg : rest) {
    if (arg == "--") break;
    if (arg == "--help" || arg == "-h") {
      std::cout << command->usage << "\n";
      return 0;
    }
  }
  const std::string label = "ndbucket " + group + " " + command->name;
  try {
    Args parsed(rest, command->spec);
    return command->run(parsed);
  } catch (const UsageError& error) {
    std::cerr << label << ": " << error.what() << "\n" << command->usage << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << label << ": " << error.what() << "\n";
    return 1;
  }
}

}  // namespace ndbucket::cli
