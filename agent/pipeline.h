// The userspace data path on one thread: raw ring-buffer records →
// connection tracker (ordered streams) → each connection's protocol session
// (parsing, pairing; made by the SessionFactory the application passes) →
// span builder → trace linker → sink. No locks: the sink takes spans and returns
// at once. Spans of a process whose own OpenTelemetry SDK reports them are
// dropped (sdk_instrumented_processes.h).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "agent/connection/connection_tracker.h"
#include "agent/linking/sdk_instrumented_processes.h"
#include "agent/linking/trace_linker.h"
#include "agent/process/process_registry.h"
#include "agent/selection/process_selector.h"
#include "agent/span/span_builder.h"
#include "agent/model/span_sink.h"

namespace zerotrace {

struct PipelineStats {
  uint64_t records = 0;
  uint64_t malformed_records = 0;
  uint64_t filtered_events = 0;  // processes not selected
  uint64_t self_exchanges = 0;  // our own OTLP exports, seen at a receiver
  uint64_t spans = 0;
  uint64_t execs = 0;  // programs started
  uint64_t exits = 0;  // processes exited that the kernel side had met
};

class Pipeline : private ExchangeHandler {
 public:
  // Called when a process turns out not to be wanted, so the kernel can stop
  // sending its events.
  using IgnoreProcess = std::function<void(uint32_t tgid, int32_t fd)>;
  // Called when a process starts a new program (e.g. to probe its binary).
  using ProcessExec = std::function<void(uint32_t tgid)>;

  Pipeline(ProcessSelector selector, ProcessRegistry& processes, SpanBuilder& builder,
           SpanSink& sink, SessionFactory sessions, IgnoreProcess ignore_process);

  void OnRecord(std::span<const uint8_t> record);
  // Time-driven work: reorder timeouts, idle connections, sink batching.
  void Tick(uint64_t now_monotonic_ns, uint64_t now_unix_ns);

  const PipelineStats& stats() const { return stats_; }
  const ConnectionTracker& tracker() const { return tracker_; }
  const TraceLinker& linker() const { return linker_; }
  const SdkInstrumentedProcesses& sdk_processes() const { return sdk_processes_; }
  void set_exec_handler(ProcessExec on_exec) { on_exec_ = std::move(on_exec); }

 private:
  void OnRequest(const RequestStart& request) override;
  void OnExchange(const Exchange& exchange) override;
  void OnProcessEvent(const zt_process_event& event);

  ProcessSelector selector_;
  ProcessRegistry& processes_;
  SpanBuilder& builder_;
  SpanSink& sink_;
  IgnoreProcess ignore_process_;
  ProcessExec on_exec_;
  ConnectionTracker tracker_;
  TraceLinker linker_;
  SdkInstrumentedProcesses sdk_processes_;
  PipelineStats stats_;
};

}  // namespace zerotrace
