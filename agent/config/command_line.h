// The configuration layer from the command line (CLI11), the highest source.
// Also where --config names the YAML file and --help/--version end the run.
#pragma once

#include <string>
#include <variant>

#include "agent/config/config_layer.h"

namespace zerotrace {

struct CommandLine {
  ConfigLayer layer;        // only what the flags set
  std::string config_file;  // --config; empty: none
};

// The flags given, or the exit code when parsing ends the program: 0 after
// --help/--version (printed by CLI11), kConfigErrorExitCode after a bad flag
// (printed as one line by ReportConfigError).
std::variant<CommandLine, int> ParseCommandLine(int argc, const char* const* argv);

}  // namespace zerotrace
