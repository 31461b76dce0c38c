#include "agent/app/counter_log.h"

#include <spdlog/spdlog.h>

#include <string>

#include "agent/app/resident_memory.h"
#include "agent/protocols/registry.h"

namespace zerotrace {

void LogCounters(const Pipeline& pipeline, const probes::KernelCounters& k,
                 const ExporterCounts& exporter) {
  const auto& p = pipeline.stats();
  const auto& t = pipeline.tracker().stats();
  ProtocolStats all;
  std::string exchanges;  // "http1 12, redis 40"
  const ProtocolStatsById by_protocol = pipeline.tracker().protocol_stats();
  for (size_t id = 0; id < by_protocol.size(); ++id) {
    const ProtocolStats& s = by_protocol[id];
    Accumulate(all, s);
    if (s.messages == 0 && s.exchanges == 0) continue;
    if (!exchanges.empty()) exchanges += ", ";
    exchanges += fmt::format("{} {}", protocols::ProtocolName(static_cast<uint8_t>(id)), s.exchanges);
  }
  spdlog::info(
      "events {} (lost in kernel {}, malformed {}), connections {} open / {} closed, exchanges "
      "[{}], spans {} (exported {}, dropped {}, failed {}, rejected {}; export retries {}), "
      "unpaired requests {} / responses {}, garbage chunks {}, agent RSS {:.1f} MiB",
      p.records, k.events_lost, p.malformed_records, pipeline.tracker().connection_count(),
      t.connections_closed, exchanges, p.spans, exporter.exported, exporter.dropped, exporter.failed,
      exporter.rejected, exporter.retries, all.unpaired_requests, all.unpaired_responses,
      all.garbage_chunks, static_cast<double>(ResidentBytes()) / (1 << 20));
  const TraceLinkStats& l = pipeline.linker().stats();
  spdlog::info(
      "trace links: {} parents by thread, {} by same-host peer, {} joined a traceparent, {} "
      "roots, {} left unlinked (thread busy with several requests), {} reused traceparents "
      "refused, {} without kernel context; traceparents injected {} (not possible {})",
      l.thread_parent, l.peer_parent, l.header_joined, l.root, l.ambiguous, l.reused_traceparent,
      l.no_kernel_context, k.traceparents_injected, k.injections_skipped);
  const SdkDetectionStats& sdk = pipeline.sdk_processes().stats();
  spdlog::info(
      "TLS: {} connections, {} plaintext messages without a known socket; OpenTelemetry SDK "
      "processes: {} by environment, {} by their own traceparent ({} spans left to them)",
      k.tls_connections, k.tls_without_socket, sdk.by_environment, sdk.by_traceparent,
      sdk.spans_left_to_sdk);
}

}  // namespace zerotrace
