// zerotrace: traces unmodified programs with eBPF and exports OpenTelemetry
// spans. main() wires the stages together and runs the event loop.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "agent/config/agent_config.h"
#include "agent/events/ring_buffer_reader.h"
#include "agent/pipeline.h"
#include "agent/process/process_registry.h"
#include "agent/span/clock_offset.h"
#include "agent/span/span_builder.h"
#include "exporter/span_sink_factory.h"
#include "probes/bpf_environment.h"
#include "probes/socket_trace_probes.h"

namespace zerotrace {
namespace {

volatile sig_atomic_t g_stop = 0;

void OnStopSignal(int) { g_stop = 1; }

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: the ring-buffer poll returns at once
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

uint64_t NowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void SetUpLogging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("zerotrace");
  logger->set_pattern("%^zerotrace %l:%$ %v");
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
  probes::RouteLibbpfLogs(verbose);
}

OutputConfig ResolveOutput(const AgentConfig& config) {
  OutputConfig out;
  out.kind = config.output == OutputKind::kJson   ? OutputConfig::kJson
             : config.output == OutputKind::kOtlp ? OutputConfig::kOtlp
                                                  : OutputConfig::kConsole;
  out.json_path = config.output_file;
  out.otlp = config.otlp;
  out.stats = std::make_shared<ExporterStats>();
  return out;
}

// Resident memory of the agent in MiB, from /proc/self/statm.
double ResidentMiB() {
  long pages_total = 0, pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

void LogCounters(const Pipeline& pipeline, const probes::SocketTraceProbes& probes,
                 const ExporterCounts& exporter) {
  const auto& p = pipeline.stats();
  const auto& t = pipeline.tracker().stats();
  auto k = probes.ReadCounters();
  auto parsed = pipeline.tracker().parser_stats();
  spdlog::info(
      "events {} (lost in kernel {}, malformed {}), connections {} open / {} closed, spans {} "
      "(exported {}, dropped {}, failed {}, rejected {}; export retries {}), unpaired requests {} "
      "/ responses {}, garbage chunks {}, agent RSS {:.1f} MiB",
      p.records, k.events_lost, p.malformed_records, pipeline.tracker().connection_count(),
      t.connections_closed, p.spans, exporter.exported, exporter.dropped, exporter.failed,
      exporter.rejected, exporter.retries, t.unpaired_requests, t.unpaired_responses,
      parsed.garbage_chunks, ResidentMiB());
  const TraceLinkStats& l = pipeline.linker().stats();
  spdlog::info(
      "trace links: {} parents by thread, {} by same-host peer, {} joined a traceparent, {} "
      "roots, {} left unlinked (thread busy with several requests), {} reused traceparents "
      "refused, {} without kernel context; traceparents injected {} (not possible {})",
      l.thread_parent, l.peer_parent, l.header_joined, l.root, l.ambiguous, l.reused_traceparent,
      l.no_kernel_context, k.traceparents_injected, k.injections_skipped);
}

// OTEL_SDK_DISABLED=true: the switch every OpenTelemetry SDK honours. The
// agent stays up (a DaemonSet pod must not crash-loop) but costs nothing.
int IdleWhileDisabled() {
  InstallStopHandlers();
  spdlog::info("OTEL_SDK_DISABLED is true: no probes attached, nothing exported; waiting to be "
               "stopped");
  while (!g_stop) pause();
  return 0;
}

int Run(const AgentConfig& config) {
  if (config.sdk_disabled) return IdleWhileDisabled();
  if (std::string problem = probes::PrepareBpfEnvironment(); !problem.empty()) {
    spdlog::error("{}", problem);
    return 1;
  }
  OutputConfig output = ResolveOutput(config);
  std::unique_ptr<SpanSink> sink = MakeSpanSink(output);  // throws a one-line reason

  probes::SocketTraceOptions probe_options;
  probe_options.self_tgid = static_cast<uint32_t>(getpid());
  probe_options.pids = config.pids;
  probe_options.ports = config.ports;
  probe_options.ring_buffer_bytes = config.ring_buffer_mb << 20;
  probe_options.inject_traceparent = config.inject_traceparent;
  std::string error;
  auto probes = probes::SocketTraceProbes::Start(probe_options, &error);
  if (!probes) {
    spdlog::error("{}", error);
    return 1;
  }

  ProcessRegistryOptions registry_options;
  registry_options.overrides.service_name = config.service_name;
  registry_options.overrides.attributes = config.resource_attributes;
  ProcessRegistry processes(std::move(registry_options));
  SpanBuilderOptions builder_options;
  builder_options.redact_query_values = !config.keep_query_values;
  SpanBuilder builder(MeasureMonotonicToUnixOffsetNs(), builder_options);
  Pipeline pipeline(ProcessSelector(probe_options.self_tgid, config.pids, config.exe_regex),
                    processes, builder, *sink,
                    [&probes](uint32_t tgid, int32_t fd) { probes->IgnoreProcess(tgid, fd); });
  RingBufferReader reader(probes->events_map_fd(),
                          [&pipeline](std::span<const uint8_t> record) { pipeline.OnRecord(record); });

  InstallStopHandlers();
  spdlog::info("zerotrace is tracing: {} probes attached, spans go as {}{}",
               probes->attached_programs(), DescribeOutput(output),
               probes->injecting_traceparent()
                   ? "; adding a traceparent to outgoing HTTP/1.x requests"
                   : "");

  constexpr uint64_t kTickNs = 100'000'000;
  constexpr uint64_t kClockRefreshNs = 10'000'000'000ull;
  uint64_t last_tick = NowNs(CLOCK_MONOTONIC);
  uint64_t last_clock_refresh = last_tick;
  uint64_t last_stats = last_tick;
  uint64_t stats_every = static_cast<uint64_t>(config.stats_interval_s * 1e9);
  while (!g_stop) {
    reader.Poll(100);
    uint64_t now = NowNs(CLOCK_MONOTONIC);
    if (now - last_tick >= kTickNs) {
      pipeline.Tick(now, NowNs(CLOCK_REALTIME));
      last_tick = now;
    }
    if (now - last_clock_refresh >= kClockRefreshNs) {
      builder.set_monotonic_to_unix_offset_ns(MeasureMonotonicToUnixOffsetNs());
      last_clock_refresh = now;
    }
    if (stats_every > 0 && now - last_stats >= stats_every) {
      LogCounters(pipeline, *probes, output.stats->Snapshot());
      last_stats = now;
    }
  }
  // Take what the kernel already sent, then let the sink finish.
  while (reader.Poll(0) > 0) {
  }
  pipeline.Tick(NowNs(CLOCK_MONOTONIC), NowNs(CLOCK_REALTIME));
  sink->Shutdown();
  LogCounters(pipeline, *probes, output.stats->Snapshot());
  return 0;
}

}  // namespace
}  // namespace zerotrace

int main(int argc, char** argv) {
  zerotrace::AgentConfig config;
  if (auto exit_code =
          zerotrace::ParseAgentConfig(argc, argv, zerotrace::ProcessEnvironment(), &config))
    return *exit_code;
  zerotrace::SetUpLogging(config.verbose);
  try {
    return zerotrace::Run(config);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
