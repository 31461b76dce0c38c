// zerotrace: traces unmodified programs with eBPF and exports OpenTelemetry
// spans. main() wires the stages together and runs the event loop.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/agent_config.h"
#include "agent/config/config_error.h"
#include "agent/events/recorded_resources.h"
#include "agent/events/recording_reader.h"
#include "agent/events/recording_replay.h"
#include "agent/events/recording_writer.h"
#include "agent/events/ring_buffer_reader.h"
#include "agent/kubernetes/kubernetes_metadata.h"
#include "agent/pipeline.h"
#include "agent/process/process_registry.h"
#include "agent/span/clock_offset.h"
#include "agent/span/span_builder.h"
#include "agent/telemetry/agent_snapshot.h"
#include "agent/telemetry/stats_file.h"
#include "agent/telemetry/telemetry_server.h"
#include "agent/telemetry/telemetry_state.h"
#include "exporter/otlp/batch_span_processor.h"
#include "exporter/span_sink_factory.h"
#include "probes/bpf_environment.h"
#include "probes/new_programs.h"
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

// Resident memory of the agent in bytes, from /proc/self/statm.
uint64_t ResidentBytes() {
  long pages_total = 0, pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return static_cast<uint64_t>(pages_resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

double ResidentMiB() { return static_cast<double>(ResidentBytes()) / (1 << 20); }

// Starts the /healthz, /readyz and /metrics endpoints unless turned off. An
// address the user chose must work, or the agent stops (exit code 2, as for
// any configuration the agent cannot honour). The default address is best
// effort: a second agent on the same host (e.g. each tracing other --pid)
// warns and runs without endpoints rather than refusing to trace.
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

// What /metrics reports, copied on the pipeline thread.
telemetry::AgentSnapshot CollectSnapshot(const Pipeline& pipeline, const probes::SocketTraceProbes& probes,
                                         const ExporterStats& exporter, const SpanSink& sink) {
  telemetry::AgentSnapshot snapshot = telemetry::SnapshotOf(pipeline);
  snapshot.kernel = probes.ReadCounters();
  snapshot.exporter = exporter.Snapshot();
  if (const auto* batch = dynamic_cast<const otlp::BatchSpanProcessor*>(&sink))
    snapshot.export_queue_spans = batch->queue_depth();
  snapshot.resident_memory_bytes = ResidentBytes();
  return snapshot;
}

// `k`: the kernel side's counters (all zero in a replay: it has no kernel).
void LogCounters(const Pipeline& pipeline, const probes::KernelCounters& k,
                 const ExporterCounts& exporter) {
  const auto& p = pipeline.stats();
  const auto& t = pipeline.tracker().stats();
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
  const SdkDetectionStats& sdk = pipeline.sdk_processes().stats();
  spdlog::info(
      "TLS: {} connections, {} plaintext messages without a known socket; OpenTelemetry SDK "
      "processes: {} by environment, {} by their own traceparent ({} spans left to them)",
      k.tls_connections, k.tls_without_socket, sdk.by_environment, sdk.by_traceparent,
      sdk.spans_left_to_sdk);
}

// OTEL_SDK_DISABLED=true: the switch every OpenTelemetry SDK honours. The
// agent stays up (a DaemonSet pod must not crash-loop) but costs nothing.
int IdleWhileDisabled(telemetry::TelemetryState& telemetry_state) {
  InstallStopHandlers();
  spdlog::info("OTEL_SDK_DISABLED is true: no probes attached, nothing exported; waiting to be "
               "stopped");
  telemetry_state.SetPhase(telemetry::AgentPhase::kDisabled);
  while (!g_stop) {
    telemetry::AgentSnapshot snapshot;
    snapshot.resident_memory_bytes = ResidentBytes();
    telemetry_state.Publish(snapshot);  // alive, for /healthz
    timespec second{1, 0};
    nanosleep(&second, nullptr);  // a stop signal cuts it short
  }
  return 0;
}

// A /proc that does not exist: a replay must not describe the recorded pids
// with whatever processes hold those numbers on this host now.
constexpr char kNoProcRoot[] = "/dev/null/zerotrace-replay";

// --replay FILE: the recorded records through the same pipeline, no BPF, time
// taken from the recording; then flush the sink and exit.
int Replay(const AgentConfig& config) {
  std::string error;
  std::unique_ptr<RecordingReader> recording = RecordingReader::Open(config.replay_file, &error);
  if (!recording) return ReportConfigError({error});
  if (config.sdk_disabled) {
    spdlog::info("OTEL_SDK_DISABLED is true: nothing replayed, nothing exported");
    return 0;
  }
  OutputConfig output = ResolveOutput(config);
  std::unique_ptr<SpanSink> sink = MakeSpanSink(output);  // throws a one-line reason

  ProcessRegistryOptions registry_options;
  registry_options.proc_root = kNoProcRoot;
  registry_options.host_name = recording->info().host_name;
  registry_options.overrides.service_name = config.service_name;
  registry_options.overrides.attributes = config.resource_attributes;
  ProcessRegistry processes(std::move(registry_options));
  SpanBuilderOptions builder_options;
  builder_options.redact_query_values = !config.keep_query_values;
  SpanBuilder builder(recording->info().monotonic_to_unix_offset_ns, builder_options);
  // Not ourselves (0 is no process): the recording agent's own traffic was
  // never recorded.
  Pipeline pipeline(ProcessSelector(0, config.pids, ""), processes, builder, *sink, nullptr);
  spdlog::info("replaying {} (recorded on {} by zerotrace {}), spans go as {}", config.replay_file,
               recording->info().host_name, recording->info().agent_version, DescribeOutput(output));

  ReplayHandlers handlers;
  handlers.on_event = [&pipeline](std::span<const uint8_t> record) { pipeline.OnRecord(record); };
  handlers.on_tick = [&pipeline](uint64_t now, uint64_t now_unix) { pipeline.Tick(now, now_unix); };
  // Processes are known from the recording alone, never from this host's /proc.
  handlers.on_process_resource = [&processes](std::shared_ptr<const Resource> resource) {
    const uint32_t pid = resource->pid;
    processes.Remember(pid, std::move(resource));
  };
  handlers.on_clock_offset = [&builder](int64_t offset) { builder.set_monotonic_to_unix_offset_ns(offset); };
  const ReplaySummary summary = ReplayRecording(*recording, handlers);
  if (!summary.problem.empty()) spdlog::warn("{}", summary.problem);
  sink->Shutdown();
  spdlog::info("replayed {} events of {} processes, {:.1f} s of recorded time", summary.events,
               summary.process_resources,
               static_cast<double>(summary.last_ns - summary.first_ns) / 1e9);
  LogCounters(pipeline, probes::KernelCounters{}, output.stats->Snapshot());
  return 0;
}

// --stats-file: the final counters, exactly as /metrics would serve them now.
// The run's exit code: 1 when the file asked for cannot be written.
int WriteFinalStats(const std::string& path, const telemetry::TelemetryState& state) {
  if (path.empty()) return 0;
  std::string error;
  if (telemetry::WriteStatsFile(path, state.RenderMetrics(), &error)) return 0;
  spdlog::error("{}", error);
  return 1;
}

int Run(const AgentConfig& config) {
  if (!config.replay_file.empty()) return Replay(config);

  // Up before the probes: /readyz says 503 while they attach.
  telemetry::TelemetryState telemetry_state(ZEROTRACE_VERSION);
  std::unique_ptr<telemetry::TelemetryServer> telemetry_server;
  if (auto exit_code = StartTelemetry(config.telemetry, telemetry_state, &telemetry_server)) return *exit_code;

  if (config.sdk_disabled) return IdleWhileDisabled(telemetry_state);
  if (std::string problem =
          probes::PrepareBpfEnvironment({.inject_traceparent = config.inject_traceparent});
      !problem.empty()) {
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
  probe_options.wakeup_min_bytes = static_cast<uint64_t>(config.ring_buffer_wakeup_kb) << 10;
  probe_options.inject_traceparent = config.inject_traceparent;
  std::string error;
  auto probes = probes::SocketTraceProbes::Start(probe_options, &error);
  if (!probes) {
    spdlog::error("{}", error);
    return 1;
  }

  // Kubernetes metadata (k8s.* attributes) when running in a cluster.
  std::string k8s_error;
  std::optional<kubernetes::KubernetesSettings> k8s_settings =
      kubernetes::KubernetesSettingsFromEnvironment(ProcessEnvironment(),
                                                    kubernetes::KubernetesMode::kAuto, &k8s_error);
  if (!k8s_settings) {
    spdlog::error("{}", k8s_error);
    return 1;
  }
  std::unique_ptr<kubernetes::KubernetesMetadata> k8s;
  if (k8s_settings->enabled) {
    k8s = kubernetes::KubernetesMetadata::Start(*k8s_settings, &k8s_error);
    if (!k8s) {
      spdlog::error("{}", k8s_error);
      return 1;
    }
    // The first spans should already carry their pod; the watch goes on regardless.
    k8s->WaitUntilSynced(std::chrono::seconds(5));
  }

  ProcessRegistryOptions registry_options;
  if (k8s) registry_options.enricher = k8s->enricher();
  // In a pod, gethostname() is the pod's name: the node's name is the host's.
  if (const char* node = std::getenv("NODE_NAME"); k8s && node && *node)
    registry_options.host_name = node;
  registry_options.overrides.service_name = config.service_name;
  registry_options.overrides.attributes = config.resource_attributes;
  ProcessRegistry processes(std::move(registry_options));
  SpanBuilderOptions builder_options;
  builder_options.redact_query_values = !config.keep_query_values;
  SpanBuilder builder(MeasureMonotonicToUnixOffsetNs(), builder_options);
  Pipeline pipeline(ProcessSelector(probe_options.self_tgid, config.pids, config.exe_regex),
                    processes, builder, *sink,
                    [&probes](uint32_t tgid, int32_t fd) { probes->IgnoreProcess(tgid, fd); });
  probes::NewPrograms new_programs;
  pipeline.set_exec_handler([&new_programs](uint32_t tgid) {
    new_programs.OnExec(tgid, NowNs(CLOCK_MONOTONIC));
  });

  // --record: every record the pipeline takes also goes to the file, after
  // its process's resource when that is new (recorded_resources.h).
  std::unique_ptr<RecordingWriter> recording;
  std::optional<ProcessResourceRecorder> resource_recorder;
  if (!config.record_file.empty()) {
    RecordingInfo info{.monotonic_to_unix_offset_ns = builder.monotonic_to_unix_offset_ns(),
                       .start_monotonic_ns = NowNs(CLOCK_MONOTONIC),
                       .recorder_pid = probe_options.self_tgid,
                       .host_name = processes.host_name(),
                       .agent_version = ZEROTRACE_VERSION};
    recording = RecordingWriter::Create(config.record_file, info,
                                        static_cast<uint64_t>(config.record_max_mb) << 20, &error);
    if (!recording) return ReportConfigError({error});
    resource_recorder.emplace(*recording, [&processes](uint32_t tgid) { return processes.ResourceFor(tgid); });
    spdlog::info("recording the kernel's events to {} (at most {} MiB)", config.record_file,
                 config.record_max_mb);
  }
  RingBufferReader reader(probes->events_map_fd(), [&](std::span<const uint8_t> record) {
    if (!resource_recorder) {
      pipeline.OnRecord(record);
      return;
    }
    const uint64_t filtered_before = pipeline.stats().filtered_events;
    pipeline.OnRecord(record);
    resource_recorder->Append(record, NowNs(CLOCK_MONOTONIC),
                              pipeline.stats().filtered_events == filtered_before);
  });

  InstallStopHandlers();
  telemetry_state.SetProbes(probes->programs());
  telemetry_state.Publish(CollectSnapshot(pipeline, *probes, *output.stats, *sink));
  telemetry_state.SetPhase(telemetry::AgentPhase::kRunning);
  spdlog::info("zerotrace is tracing: {} probes attached, spans go as {}{}",
               probes->attached_programs(), DescribeOutput(output),
               probes->injecting_traceparent()
                   ? "; adding a traceparent to outgoing HTTP/1.x requests"
                   : "");

  constexpr uint64_t kTickNs = 100'000'000;
  constexpr uint64_t kClockRefreshNs = 10'000'000'000ull;
  constexpr uint64_t kTelemetryPublishNs = 250'000'000;
  uint64_t last_tick = NowNs(CLOCK_MONOTONIC);
  uint64_t last_clock_refresh = last_tick;
  uint64_t last_stats = last_tick;
  uint64_t last_publish = last_tick;
  uint64_t stats_every = static_cast<uint64_t>(config.stats_interval_s * 1e9);
  while (!g_stop) {
    reader.Poll(100);
    uint64_t now = NowNs(CLOCK_MONOTONIC);
    if (now - last_tick >= kTickNs) {
      pipeline.Tick(now, NowNs(CLOCK_REALTIME));
      last_tick = now;
    }
    size_t newly_probed = 0;
    for (uint32_t pid : new_programs.Due(now)) newly_probed += probes->ProbeProgram(pid);
    if (newly_probed > 0) telemetry_state.SetProbes(probes->programs());
    if (now - last_clock_refresh >= kClockRefreshNs) {
      builder.set_monotonic_to_unix_offset_ns(MeasureMonotonicToUnixOffsetNs());
      if (recording) recording->AppendClockOffset(now, builder.monotonic_to_unix_offset_ns());
      last_clock_refresh = now;
    }
    if (stats_every > 0 && now - last_stats >= stats_every) {
      LogCounters(pipeline, probes->ReadCounters(), output.stats->Snapshot());
      last_stats = now;
    }
    if (telemetry_server && now - last_publish >= kTelemetryPublishNs) {
      telemetry_state.Publish(CollectSnapshot(pipeline, *probes, *output.stats, *sink));
      last_publish = now;
    }
  }
  telemetry_state.SetPhase(telemetry::AgentPhase::kStopping);
  // Take what the kernel already sent, then let the sink finish.
  while (reader.Poll(0) > 0) {
  }
  pipeline.Tick(NowNs(CLOCK_MONOTONIC), NowNs(CLOCK_REALTIME));
  if (recording) {
    recording->Finish(NowNs(CLOCK_MONOTONIC));
    if (recording->state() != RecordingWriter::State::kFailed)
      spdlog::info("recorded {} events in {} ({:.1f} MiB); replay with --replay {}", recording->events(),
                   recording->path(), static_cast<double>(recording->bytes()) / (1 << 20),
                   recording->path());
  }
  sink->Shutdown();
  telemetry_state.Publish(CollectSnapshot(pipeline, *probes, *output.stats, *sink));
  LogCounters(pipeline, probes->ReadCounters(), output.stats->Snapshot());
  return WriteFinalStats(config.stats_file, telemetry_state);
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
