// The agent's /healthz, /readyz and /metrics endpoints: starting them as the
// configuration says, and what they report.
#pragma once

#include <memory>
#include <optional>

#include "agent/config/agent_config.h"
#include "agent/pipeline.h"
#include "agent/telemetry/agent_snapshot.h"
#include "agent/telemetry/telemetry_server.h"
#include "agent/telemetry/telemetry_state.h"
#include "exporter/exporter_stats.h"
#include "agent/model/span_sink.h"
#include "probes/socket_trace_probes.h"

namespace zerotrace {

// Starts the endpoints unless turned off. An address the user chose must
// work, or the agent stops (the returned exit code 2, as for any
// configuration the agent cannot honour). The default address is best
// effort: a second agent on the same host (e.g. each tracing other --pid)
// warns and runs without endpoints rather than refusing to trace.
std::optional<int> StartTelemetry(const TelemetryConfig& config, const telemetry::TelemetryState& state,
                                  std::unique_ptr<telemetry::TelemetryServer>* server);

// What /metrics reports, copied on the pipeline thread.
telemetry::AgentSnapshot CollectSnapshot(const Pipeline& pipeline, const probes::SocketTraceProbes& probes,
                                         const ExporterStats& exporter, const SpanSink& sink);

}  // namespace zerotrace
