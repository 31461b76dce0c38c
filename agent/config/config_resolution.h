// From the merged configuration layer to the AgentConfig the agent runs
// with: defaults for what no source set, the OTLP endpoint resolved for the
// protocol, and the checks that need the whole picture (the CA file exists).
#pragma once

#include <optional>

#include "agent/config/agent_config.h"
#include "agent/config/config_error.h"
#include "agent/config/config_layer.h"

namespace zerotrace {

// Fills *config from `merged` (all sources already overlaid).
std::optional<ConfigError> ResolveAgentConfig(const ConfigLayer& merged, AgentConfig* config);

}  // namespace zerotrace
