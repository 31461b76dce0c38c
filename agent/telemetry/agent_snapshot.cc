#include "agent/telemetry/agent_snapshot.h"

namespace zerotrace::telemetry {

AgentSnapshot SnapshotOf(const Pipeline& pipeline) {
  AgentSnapshot s;
  s.pipeline = pipeline.stats();
  s.tracker = pipeline.tracker().stats();
  s.open_connections = pipeline.tracker().connection_count();
  s.parser = pipeline.tracker().parser_stats();
  s.reorder = pipeline.tracker().reorder_stats();
  s.links = pipeline.linker().stats();
  s.sdk = pipeline.sdk_processes().stats();
  return s;
}

}  // namespace zerotrace::telemetry
