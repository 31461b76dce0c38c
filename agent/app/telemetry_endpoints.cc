#include "agent/app/telemetry_endpoints.h"

#include <spdlog/spdlog.h>

#include "agent/app/resident_memory.h"
#include "agent/config/config_error.h"
#include "agent/protocols/registry.h"
#include "exporter/otlp/batch_span_processor.h"

namespace zerotrace {

std::optional<int> StartTelemetry(const TelemetryConfig& config, const telemetry::TelemetryState& state,
                                  std::unique_ptr<telemetry::TelemetryServer>* server) {
  if (!config.enabled) return std::nullopt;
  std::string error;
  *server = telemetry::TelemetryServer::Start(config.address.host, config.address.port, state, &error);
  if (*server) {
    spdlog::info("health and metrics at http://{}/ (healthz, readyz, metrics)",
                 telemetry::FormatHostPort(config.address.host, (*server)->port()));
    return std::nullopt;
  }
  if (config.address_given) {
    return ReportConfigError({fmt::format(
        "cannot serve the telemetry endpoints on {}; choose another --telemetry-address HOST:PORT "
        "(or telemetry.address in the file), or turn them off with --telemetry-address off",
        error)});
  }
  spdlog::warn("no health or metrics endpoints: {} (another zerotrace?); choose an address with "
               "--telemetry-address HOST:PORT",
               error);
  return std::nullopt;
}

telemetry::AgentSnapshot CollectSnapshot(const Pipeline& pipeline, const probes::SocketTraceProbes& probes,
                                         const ExporterStats& exporter, const SpanSink& sink) {
  telemetry::AgentSnapshot snapshot = telemetry::SnapshotOf(pipeline, &protocols::ProtocolName);
  snapshot.kernel = probes.ReadCounters();
  snapshot.exporter = exporter.Snapshot();
  if (const auto* batch = dynamic_cast<const otlp::BatchSpanProcessor*>(&sink))
    snapshot.export_queue_spans = batch->queue_depth();
  snapshot.resident_memory_bytes = ResidentBytes();
  return snapshot;
}

}  // namespace zerotrace
