#include "agent/app/live_run.h"

#include <spdlog/spdlog.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "agent/app/agent_pipeline.h"
#include "agent/app/counter_log.h"
#include "agent/app/resident_memory.h"
#include "agent/app/stop_signal.h"
#include "agent/app/telemetry_endpoints.h"
#include "agent/config/config_error.h"
#include "agent/events/recorded_resources.h"
#include "agent/events/recording_writer.h"
#include "agent/events/ring_buffer_reader.h"
#include "agent/kubernetes/kubernetes_metadata.h"
#include "agent/model/clock_offset.h"
#include "agent/telemetry/stats_file.h"
#include "probes/bpf_environment.h"
#include "probes/new_programs.h"
#include "probes/socket_trace_probes.h"

namespace zerotrace {
namespace {

uint64_t NowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// OTEL_SDK_DISABLED=true: the switch every OpenTelemetry SDK honours. The
// agent stays up (a DaemonSet pod must not crash-loop) but costs nothing.
int IdleWhileDisabled(telemetry::TelemetryState& telemetry_state) {
  InstallStopHandlers();
  spdlog::info("OTEL_SDK_DISABLED is true: no probes attached, nothing exported; waiting to be "
               "stopped");
  telemetry_state.SetPhase(telemetry::AgentPhase::kDisabled);
  while (!StopRequested()) {
    telemetry::AgentSnapshot snapshot;
    snapshot.resident_memory_bytes = ResidentBytes();
    telemetry_state.Publish(snapshot);  // alive, for /healthz
    timespec second{1, 0};
    nanosleep(&second, nullptr);  // a stop signal cuts it short
  }
  return 0;
}

// Kubernetes metadata (k8s.* attributes) when running in a cluster. Returns
// false (after logging why) when the settings are wrong or the API refuses.
bool StartKubernetes(std::unique_ptr<kubernetes::KubernetesMetadata>* k8s) {
  std::string error;
  std::optional<kubernetes::KubernetesSettings> settings = kubernetes::KubernetesSettingsFromEnvironment(
      ProcessEnvironment(), kubernetes::KubernetesMode::kAuto, &error);
  if (!settings) {
    spdlog::error("{}", error);
    return false;
  }
  if (!settings->enabled) return true;
  *k8s = kubernetes::KubernetesMetadata::Start(*settings, &error);
  if (!*k8s) {
    spdlog::error("{}", error);
    return false;
  }
  // The first spans should already carry their pod; the watch goes on regardless.
  (*k8s)->WaitUntilSynced(std::chrono::seconds(5));
  return true;
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

}  // namespace

int RunLive(const AgentConfig& config) {
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
  std::unique_ptr<kubernetes::KubernetesMetadata> k8s;
  if (!StartKubernetes(&k8s)) return 1;

  PipelineSetup setup;
  if (k8s) setup.registry.enricher = k8s->enricher();
  // In a pod, gethostname() is the pod's name: the node's name is the host's.
  if (const char* node = std::getenv("NODE_NAME"); k8s && node && *node) setup.registry.host_name = node;
  setup.monotonic_to_unix_offset_ns = MeasureMonotonicToUnixOffsetNs();
  setup.self_tgid = probe_options.self_tgid;
  setup.exe_regex = config.exe_regex;
  setup.ignore_process = [&probes](uint32_t tgid, int32_t fd) { probes->IgnoreProcess(tgid, fd); };
  AgentPipeline agent = MakeAgentPipeline(config, std::move(setup));
  Pipeline& pipeline = *agent.pipeline;
  SpanBuilder& builder = *agent.builder;
  const OutputConfig& output = agent.output;
  probes::NewPrograms new_programs;
  pipeline.set_exec_handler([&new_programs](uint32_t tgid) {
    new_programs.OnExec(tgid, NowNs(CLOCK_MONOTONIC));
  });

  // --record: every record the pipeline takes also goes to the file, after
  // its process's resource when that is new (recorded_resources.h).
  std::unique_ptr<RecordingWriter> recording;
  std::optional<ProcessResourceRecorder> resource_recorder;
  if (!config.record_file.empty()) {
    ProcessRegistry& processes = *agent.processes;
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
  telemetry_state.Publish(CollectSnapshot(pipeline, *probes, *output.stats, *agent.sink));
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
  while (!StopRequested()) {
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
      telemetry_state.Publish(CollectSnapshot(pipeline, *probes, *output.stats, *agent.sink));
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
  agent.sink->Shutdown();
  telemetry_state.Publish(CollectSnapshot(pipeline, *probes, *output.stats, *agent.sink));
  LogCounters(pipeline, probes->ReadCounters(), output.stats->Snapshot());
  return WriteFinalStats(config.stats_file, telemetry_state);
}

}  // namespace zerotrace
