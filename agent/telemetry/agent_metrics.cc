// The agent's metric families. Counters the pipeline keeps only once a
// connection ends (parser, reorder) say so in their help text, so nobody
// mistakes their lag for lost data.
#include "agent/telemetry/agent_metrics.h"

#include <initializer_list>
#include <utility>

namespace zerotrace::telemetry {
namespace {

// Appends families without repeating the boilerplate of each.
class FamilyList {
 public:
  void Counter(std::string name, std::string help, uint64_t value) {
    Add(std::move(name), std::move(help), MetricType::kCounter).samples.push_back({{}, value});
  }
  void Gauge(std::string name, std::string help, uint64_t value) {
    Add(std::move(name), std::move(help), MetricType::kGauge).samples.push_back({{}, value});
  }
  // One counter family, one sample per value of a single label.
  void CounterBy(std::string name, std::string help, const char* label,
                 std::initializer_list<std::pair<const char*, uint64_t>> values) {
    MetricFamily& family = Add(std::move(name), std::move(help), MetricType::kCounter);
    for (const auto& [label_value, value] : values)
      family.samples.push_back({{{label, label_value}}, value});
  }
  MetricFamily& Add(std::string name, std::string help, MetricType type) {
    families_.push_back({std::move(name), std::move(help), type, {}});
    return families_.back();
  }
  std::vector<MetricFamily> Take() { return std::move(families_); }

 private:
  std::vector<MetricFamily> families_;
};

void AddEventFamilies(const AgentSnapshot& s, FamilyList& out) {
  out.Counter("zerotrace_events_read_total", "Event records read from the kernel ring buffer.",
              s.pipeline.records);
  out.Counter("zerotrace_events_lost_total",
              "Events the kernel could not queue because the ring buffer was full (raise "
              "--ring-buffer-mb).",
              s.kernel.events_lost);
  out.CounterBy("zerotrace_events_dropped_total",
                "Events read but dropped in userspace: malformed records, and chunks older than "
                "what was already delivered (out_of_order; counted when their connection ends).",
                "reason", {{"malformed", s.pipeline.malformed_records}, {"out_of_order", s.reorder.stale}});
  out.Counter("zerotrace_events_filtered_total",
              "Events of processes not selected by --pid/--exe.", s.pipeline.filtered_events);
}

void AddConnectionFamilies(const AgentSnapshot& s, FamilyList& out) {
  out.CounterBy("zerotrace_kernel_connections_classified_total",
                "Connections the kernel classified by their first bytes: a protocol zerotrace "
                "parses (traced) or anything else (ignored).",
                "verdict", {{"traced", s.kernel.connections_tracked}, {"ignored", s.kernel.connections_ignored}});
  out.Counter("zerotrace_kernel_connection_table_full_total",
              "Connections not traced because the kernel's connection table was full.",
              s.kernel.connection_table_full);
  out.Counter("zerotrace_connections_opened_total", "Connections the agent started tracking.",
              s.tracker.connections_opened);
  out.CounterBy("zerotrace_connections_ended_total",
                "Tracked connections forgotten: closed, idle too long (expired), or pushed out "
                "of a full table (evicted).",
                "reason",
                {{"closed", s.tracker.connections_closed},
                 {"expired", s.tracker.connections_expired},
                 {"evicted", s.tracker.connections_evicted}});
  out.Gauge("zerotrace_connections_tracked", "Connections tracked now.", s.open_connections);
}

// One family per counter, one sample per protocol (plus a second label).
void AddProtocolFamilies(const AgentSnapshot& s, FamilyList& out) {
  auto per_protocol = [&](std::string name, std::string help, uint64_t ProtocolStats::*field) {
    MetricFamily& family = out.Add(std::move(name), std::move(help), MetricType::kCounter);
    for (const auto& p : s.protocols) family.samples.push_back({{{"protocol", p.name}}, p.stats.*field});
  };
  auto per_protocol_by = [&](std::string name, std::string help, const char* label,
                             std::initializer_list<std::pair<const char*, uint64_t ProtocolStats::*>> fields) {
    MetricFamily& family = out.Add(std::move(name), std::move(help), MetricType::kCounter);
    for (const auto& p : s.protocols)
      for (const auto& [value, field] : fields)
        family.samples.push_back({{{"protocol", p.name}, {label, value}}, p.stats.*field});
  };
  per_protocol("zerotrace_exchanges_total", "Requests paired with their response, per protocol.",
               &ProtocolStats::exchanges);
  per_protocol_by("zerotrace_unpaired_total",
                  "Requests that never got a response (or were lost across a hole in the capture), "
                  "and responses without a request seen.",
                  "message", {{"request", &ProtocolStats::unpaired_requests},
                              {"response", &ProtocolStats::unpaired_responses}});
  per_protocol("zerotrace_messages_parsed_total", "Requests and responses framed, per protocol.",
               &ProtocolStats::messages);
  per_protocol_by("zerotrace_parse_errors_total",
                  "Chunks skipped because they were not the connection's protocol (garbage_chunk), "
                  "and times framing was lost and found again (resync).",
                  "kind", {{"garbage_chunk", &ProtocolStats::garbage_chunks},
                           {"resync", &ProtocolStats::resyncs}});
  out.Counter("zerotrace_self_exchanges_skipped_total",
              "HTTP exchanges of the agent's own OTLP exports, not turned into spans.",
              s.pipeline.self_exchanges);
}

void AddSpanFamilies(const AgentSnapshot& s, FamilyList& out) {
  out.Counter("zerotrace_spans_built_total", "Spans built from exchanges (every protocol).", s.pipeline.spans);
  out.Counter("zerotrace_spans_exported_total",
              "Spans delivered: accepted by the OTLP receiver, written or printed.", s.exporter.exported);
  out.Counter("zerotrace_spans_dropped_total",
              "Spans never sent: export queue full, or still queued when shutdown ran out of time.",
              s.exporter.dropped);
  out.Counter("zerotrace_spans_failed_total",
              "Spans sent but not delivered: retries ran out, a final HTTP/gRPC error, a write "
              "error.",
              s.exporter.failed);
  out.Counter("zerotrace_spans_rejected_total",
              "Spans the OTLP receiver accepted but said it dropped (partial success).",
              s.exporter.rejected);
  out.Counter("zerotrace_export_retries_total", "Export attempts repeated after a transient failure.",
              s.exporter.retries);
  out.Gauge("zerotrace_export_queue_spans", "Spans waiting in the OTLP export queue.",
            s.export_queue_spans);
}

void AddLinkFamilies(const AgentSnapshot& s, FamilyList& out) {
  out.CounterBy("zerotrace_trace_links_total",
                "How each span was put in its trace: child of the server request its thread "
                "handled (thread_parent), of a client span on this host (peer_parent), joined "
                "the request's traceparent (header_joined), started a trace (root), left "
                "unlinked (ambiguous), join refused by the reused-traceparent guard "
                "(reused_traceparent), no kernel context (no_kernel_context).",
                "outcome",
                {{"thread_parent", s.links.thread_parent},
                 {"peer_parent", s.links.peer_parent},
                 {"header_joined", s.links.header_joined},
                 {"root", s.links.root},
                 {"ambiguous", s.links.ambiguous},
                 {"reused_traceparent", s.links.reused_traceparent},
                 {"no_kernel_context", s.links.no_kernel_context}});
  out.Counter("zerotrace_traceparents_injected_total",
              "Outgoing HTTP/1.x requests given a traceparent (--inject-traceparent).",
              s.kernel.traceparents_injected);
  out.Counter("zerotrace_traceparent_injections_skipped_total",
              "Outgoing requests that could not be given a traceparent (request line split "
              "across writes, no room).",
              s.kernel.injections_skipped);
  out.CounterBy("zerotrace_sdk_processes_total",
                "Processes found carrying their own OpenTelemetry SDK, by the evidence: their "
                "environment or command line, or a traceparent they originated while serving.",
                "evidence",
                {{"environment", s.sdk.by_environment}, {"traceparent", s.sdk.by_traceparent}});
  out.Counter("zerotrace_spans_left_to_sdk_total",
              "Spans not reported because the process's own OpenTelemetry SDK reports them.",
              s.sdk.spans_left_to_sdk);
}

void AddTlsFamilies(const AgentSnapshot& s, FamilyList& out) {
  out.Counter("zerotrace_tls_connections_total",
              "TCP connections found carrying TLS records (their plaintext comes from the TLS "
              "library probes; the ciphertext is never parsed).",
              s.kernel.tls_connections);
  out.Counter("zerotrace_tls_plaintext_dropped_total",
              "TLS plaintext messages dropped because the socket they belong to was unknown.",
              s.kernel.tls_without_socket);
}

}  // namespace

std::vector<MetricFamily> AgentMetricFamilies(const AgentMetricsInput& input) {
  FamilyList out;
  const AgentSnapshot& s = input.snapshot;
  AddEventFamilies(s, out);
  AddTlsFamilies(s, out);
  AddConnectionFamilies(s, out);
  AddProtocolFamilies(s, out);
  AddSpanFamilies(s, out);
  AddLinkFamilies(s, out);

  MetricFamily& probes = out.Add("zerotrace_probe_attached",
                                 "Whether each BPF program is attached (1) or not (0).", MetricType::kGauge);
  for (const auto& probe : input.probes)
    probes.samples.push_back({{{"program", probe.program}}, probe.attached ? 1u : 0u});
  out.Gauge("zerotrace_resident_memory_bytes", "Resident memory of the agent process.",
            s.resident_memory_bytes);
  out.Gauge("zerotrace_ready",
            "1 while /readyz answers 200 (probes attached and the pipeline running, or idle "
            "under OTEL_SDK_DISABLED); 0 while starting or shutting down.",
            input.ready ? 1 : 0);
  out.Add("zerotrace_build_info", "The agent's version, as a label; the value is always 1.",
          MetricType::kGauge)
      .samples.push_back({{{"version", input.version}}, 1});
  return out.Take();
}

}  // namespace zerotrace::telemetry
