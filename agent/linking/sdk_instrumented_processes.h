// Which traced processes carry an OpenTelemetry SDK of their own (code-based
// or an auto-instrumentation agent). Such a process reports its HTTP spans
// itself; zerotrace drops its own spans of that process, so one request never
// shows up twice, and the trace goes on through the SDK's context: the
// traceparent the SDK sends downstream, which the next hop's server span joins.
//
// A process counts as instrumented once either is seen:
//  - Its environment or command line names an OpenTelemetry agent or SDK
//    setting: OTEL_TRACES_EXPORTER other than "none"; "@opentelemetry/" in
//    NODE_OPTIONS or argv (node --require @opentelemetry/...);
//    "opentelemetry-javaagent" in JAVA_TOOL_OPTIONS or argv; Python's
//    auto-instrumentation on PYTHONPATH; an OpenTelemetry .NET profiler.
//    OTEL_SERVICE_NAME alone does not count: users set it for zerotrace too.
//  - While serving a request, it sends an outgoing request whose traceparent
//    names a span it did not receive: it made a span of its own for the call.
//    A proxy that forwards the traceparent it received is not an SDK; neither
//    is a client that is not serving anything (curl -H traceparent:...).
// Until the second kind of evidence arrives, spans of an SDK process whose
// requests make no outgoing calls are reported by both (the first outgoing
// call of a request is seen before that request's response, so from then on
// every span is the SDK's alone).
//
// Processes are remembered by pid, at most max_processes (oldest forgotten
// first); Forget a pid when its process exits or execs.
//
// Single-threaded: the pipeline thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/connection/connection_info.h"
#include "agent/process/proc_fs.h"
#include "agent/connection/exchange.h"
#include "agent/model/span.h"

namespace zerotrace {

struct SdkDetectionStats {
  uint64_t by_environment = 0;  // processes found instrumented from environ/cmdline
  uint64_t by_traceparent = 0;  // ... from a traceparent they originated while serving
  uint64_t spans_left_to_sdk = 0;  // our spans dropped: the process's SDK reports them
};

// Whether a NUL-separated environ block or argv names an OpenTelemetry SDK
// or agent (the first kind of evidence above). Pure, for tests.
bool EnvironmentNamesOtelSdk(std::string_view environ);
bool CommandLineNamesOtelSdk(std::string_view cmdline);

class SdkInstrumentedProcesses {
 public:
  explicit SdkInstrumentedProcesses(ProcFs proc = ProcFs(), size_t max_processes = 16384);

  // Every parsed request: server requests' traceparents are remembered per
  // process; a client request's traceparent is judged against them.
  void OnRequest(const RequestStart& request);

  // True when the process's own SDK reports its spans (counts the caller's
  // dropped span in stats().spans_left_to_sdk).
  bool ReportsOwnSpans(uint32_t pid);

  void Forget(uint32_t pid);

  const SdkDetectionStats& stats() const { return stats_; }

 private:
  // The parent ids of the last traceparents a process received.
  static constexpr size_t kRememberedReceived = 256;
  struct Process {
    bool checked_environment = false;
    bool instrumented = false;
    std::vector<SpanId> received;  // a ring of at most kRememberedReceived, made on first use
    size_t received_count = 0;     // total ever received
    bool Received(const SpanId& id) const;
    void AddReceived(const SpanId& id);
  };

  Process& Entry(uint32_t pid);
  void CheckEnvironment(uint32_t pid, Process& process);

  ProcFs proc_;
  size_t max_processes_;
  std::unordered_map<uint32_t, Process> processes_;
  std::deque<uint32_t> order_;  // oldest first, to bound processes_
  SdkDetectionStats stats_;
};

}  // namespace zerotrace
