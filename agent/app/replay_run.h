// --replay FILE: the recorded records through the same pipeline as a live
// run, no BPF, time taken from the recording; then flush and exit.
#pragma once

#include "agent/config/agent_config.h"

namespace zerotrace {

int RunReplay(const AgentConfig& config);

}  // namespace zerotrace
