// The agent's configuration: flags, then the environment, then the --config
// file, merged field by field and resolved into one AgentConfig.
#include "agent/config/agent_config.h"

#include <variant>

#include "agent/config/command_line.h"
#include "agent/config/config_error.h"
#include "agent/config/config_file.h"
#include "agent/config/config_layer.h"
#include "agent/config/config_resolution.h"
#include "agent/config/environment_config.h"

namespace zerotrace {

std::optional<int> ParseAgentConfig(int argc, const char* const* argv, const EnvLookup& env,
                                    AgentConfig* config) {
  // The command line first: it names the file, and may end the run (--help).
  std::variant<CommandLine, int> parsed = ParseCommandLine(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const CommandLine& command_line = std::get<CommandLine>(parsed);

  ConfigLayer merged;  // lowest source first: the file
  if (!command_line.config_file.empty()) {
    if (auto error = LoadConfigFile(command_line.config_file, &merged)) return ReportConfigError(*error);
  }
  ConfigLayer environment;
  if (auto error = LoadEnvironmentConfig(env, &environment)) return ReportConfigError(*error);
  Overlay(environment, &merged);
  Overlay(command_line.layer, &merged);

  *config = AgentConfig{};
  if (auto error = ResolveAgentConfig(merged, config)) return ReportConfigError(*error);
  config->config_file = command_line.config_file;
  return std::nullopt;
}

}  // namespace zerotrace
