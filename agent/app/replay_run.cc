#include "agent/app/replay_run.h"

#include <spdlog/spdlog.h>

#include "agent/app/agent_pipeline.h"
#include "agent/app/counter_log.h"
#include "agent/config/config_error.h"
#include "agent/events/recording_reader.h"
#include "agent/events/recording_replay.h"

namespace zerotrace {
namespace {

// A /proc that does not exist: a replay must not describe the recorded pids
// with whatever processes hold those numbers on this host now.
constexpr char kNoProcRoot[] = "/dev/null/zerotrace-replay";

}  // namespace

int RunReplay(const AgentConfig& config) {
  std::string error;
  std::unique_ptr<RecordingReader> recording = RecordingReader::Open(config.replay_file, &error);
  if (!recording) return ReportConfigError({error});
  if (config.sdk_disabled) {
    spdlog::info("OTEL_SDK_DISABLED is true: nothing replayed, nothing exported");
    return 0;
  }
  PipelineSetup setup;
  setup.registry.proc_root = kNoProcRoot;
  setup.registry.host_name = recording->info().host_name;
  setup.monotonic_to_unix_offset_ns = recording->info().monotonic_to_unix_offset_ns;
  // Not ourselves (0 is no process): the recording agent's own traffic was
  // never recorded.
  setup.self_tgid = 0;
  AgentPipeline agent = MakeAgentPipeline(config, std::move(setup));
  Pipeline& pipeline = *agent.pipeline;
  ProcessRegistry& processes = *agent.processes;
  SpanBuilder& builder = *agent.builder;
  spdlog::info("replaying {} (recorded on {} by zerotrace {}), spans go as {}", config.replay_file,
               recording->info().host_name, recording->info().agent_version,
               DescribeOutput(agent.output));

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
  agent.sink->Shutdown();
  spdlog::info("replayed {} events of {} processes, {:.1f} s of recorded time", summary.events,
               summary.process_resources,
               static_cast<double>(summary.last_ns - summary.first_ns) / 1e9);
  LogCounters(pipeline, probes::KernelCounters{}, agent.output.stats->Snapshot());
  return 0;
}

}  // namespace zerotrace
