#include "agent/telemetry/agent_snapshot.h"

namespace zerotrace::telemetry {

AgentSnapshot SnapshotOf(const Pipeline& pipeline, std::string_view (*protocol_name)(uint8_t)) {
  AgentSnapshot s;
  s.pipeline = pipeline.stats();
  s.tracker = pipeline.tracker().stats();
  s.open_connections = pipeline.tracker().connection_count();
  const ProtocolStatsById by_protocol = pipeline.tracker().protocol_stats();
  for (size_t id = 0; id < by_protocol.size(); ++id) {
    const ProtocolStats& stats = by_protocol[id];
    if (stats.messages == 0 && stats.exchanges == 0 && stats.garbage_chunks == 0) continue;
    s.protocols.push_back({std::string(protocol_name(static_cast<uint8_t>(id))), stats});
  }
  s.reorder = pipeline.tracker().reorder_stats();
  s.links = pipeline.linker().stats();
  s.sdk = pipeline.sdk_processes().stats();
  return s;
}

}  // namespace zerotrace::telemetry
