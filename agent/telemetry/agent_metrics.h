// The agent's self-metrics: which families /metrics has, their names, help
// and labels, filled from one AgentSnapshot. Names start with "zerotrace_";
// counters end in "_total".
#pragma once

#include <string>
#include <vector>

#include "agent/telemetry/agent_snapshot.h"
#include "agent/telemetry/prometheus_text.h"

namespace zerotrace::telemetry {

struct AgentMetricsInput {
  const AgentSnapshot& snapshot;
  const std::vector<probes::ProgramAttachment>& probes;
  bool ready = false;
  std::string version;
};

std::vector<MetricFamily> AgentMetricFamilies(const AgentMetricsInput& input);

}  // namespace zerotrace::telemetry
