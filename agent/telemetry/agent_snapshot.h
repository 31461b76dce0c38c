// Everything /metrics reports, copied by the pipeline thread at one instant.
// Plain values only: the pipeline's counters are unsynchronised integers, so
// the pipeline thread copies them here and hands the copy over (see
// TelemetryState); the HTTP thread never touches the live ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/pipeline.h"
#include "exporter/exporter_stats.h"
#include "probes/socket_trace_probes.h"

namespace zerotrace::telemetry {

struct AgentSnapshot {
  probes::KernelCounters kernel;
  PipelineStats pipeline;
  TrackerStats tracker;
  uint64_t open_connections = 0;
  // Per protocol the agent parses (named by the application's registry).
  struct Protocol {
    std::string name;  // "http1", "redis"
    ProtocolStats stats;
  };
  std::vector<Protocol> protocols;
  // Reorder totals grow as connections end (ConnectionTracker).
  ReorderStats reorder;
  TraceLinkStats links;
  SdkDetectionStats sdk;
  ExporterCounts exporter;
  uint64_t export_queue_spans = 0;  // OTLP batch queue; 0 for the other outputs
  uint64_t resident_memory_bytes = 0;
};

// Copies the pipeline's counters (call on the pipeline thread).
// `protocol_name` names a protocol id (enum zt_protocol); protocols that saw
// no connection are left out.
AgentSnapshot SnapshotOf(const Pipeline& pipeline, std::string_view (*protocol_name)(uint8_t));

}  // namespace zerotrace::telemetry
