// The live agent: probes attached, the ring buffer read into the pipeline
// until a stop signal, then the last spans flushed.
#pragma once

#include "agent/config/agent_config.h"

namespace zerotrace {

int RunLive(const AgentConfig& config);

}  // namespace zerotrace
