#include "agent/linking/sdk_instrumented_processes.h"

#include <optional>

#include "agent/model/traceparent.h"

namespace zerotrace {

namespace {

constexpr size_t kMaxEnvironBytes = 256 * 1024;
constexpr size_t kMaxCmdlineBytes = 64 * 1024;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

bool NamesNodeSdk(std::string_view text) { return Contains(text, "@opentelemetry/"); }
bool NamesJavaAgent(std::string_view text) { return Contains(text, "opentelemetry-javaagent"); }

}  // namespace

bool EnvironmentNamesOtelSdk(std::string_view environ) {
  // Only these variables are looked at; no value is kept.
  if (auto exporter = FindEnvironValue(environ, "OTEL_TRACES_EXPORTER")) {
    if (!exporter->empty() && *exporter != "none") return true;
  }
  if (auto options = FindEnvironValue(environ, "NODE_OPTIONS"); options && NamesNodeSdk(*options)) {
    return true;
  }
  if (auto options = FindEnvironValue(environ, "JAVA_TOOL_OPTIONS");
      options && NamesJavaAgent(*options)) {
    return true;
  }
  if (auto path = FindEnvironValue(environ, "PYTHONPATH");
      path && Contains(*path, "opentelemetry/instrumentation/auto_instrumentation")) {
    return true;
  }
  if (auto profiler = FindEnvironValue(environ, "CORECLR_PROFILER_PATH");
      profiler && Contains(*profiler, "OpenTelemetry")) {
    return true;
  }
  return false;
}

bool CommandLineNamesOtelSdk(std::string_view cmdline) {
  return NamesNodeSdk(cmdline) || NamesJavaAgent(cmdline);
}

bool SdkInstrumentedProcesses::Process::Received(const SpanId& id) const {
  for (const SpanId& seen : received) {
    if (seen == id) return true;
  }
  return false;
}

void SdkInstrumentedProcesses::Process::AddReceived(const SpanId& id) {
  if (received.size() < kRememberedReceived) {
    received.push_back(id);
  } else {
    received[received_count % kRememberedReceived] = id;
  }
  ++received_count;
}

SdkInstrumentedProcesses::SdkInstrumentedProcesses(ProcFs proc, size_t max_processes)
    : proc_(std::move(proc)), max_processes_(max_processes == 0 ? 1 : max_processes) {}

SdkInstrumentedProcesses::Process& SdkInstrumentedProcesses::Entry(uint32_t pid) {
  auto [it, inserted] = processes_.try_emplace(pid);
  if (inserted) {
    order_.push_back(pid);
    if (order_.size() > max_processes_) {
      const uint32_t oldest = order_.front();
      order_.pop_front();
      if (oldest != pid) processes_.erase(oldest);  // `it` stays valid
    }
  }
  return it->second;
}

void SdkInstrumentedProcesses::CheckEnvironment(uint32_t pid, Process& process) {
  if (process.checked_environment) return;
  process.checked_environment = true;
  const std::optional<std::string> environ = proc_.ReadFile(pid, "environ", kMaxEnvironBytes);
  const std::optional<std::string> cmdline = proc_.ReadFile(pid, "cmdline", kMaxCmdlineBytes);
  if ((environ && EnvironmentNamesOtelSdk(*environ)) ||
      (cmdline && CommandLineNamesOtelSdk(*cmdline))) {
    if (!process.instrumented) ++stats_.by_environment;
    process.instrumented = true;
  }
}

void SdkInstrumentedProcesses::OnRequest(const RequestStart& request) {
  if (request.propagated.traceparent.empty()) return;
  const std::optional<TraceParent> header = ParseTraceParent(request.propagated.traceparent);
  const ConnectionInfo& connection = request.connection;
  if (!header) return;
  Process& process = Entry(connection.key.tgid);
  if (connection.role == ConnectionRole::kServer) {
    process.AddReceived(header->parent_id);
    return;
  }
  if (connection.role != ConnectionRole::kClient || process.instrumented) return;
  // Serving: the kernel saw the calling thread handling server requests.
  const TraceLink link = request.first_chunk.trace.link;
  const bool serving = link == TraceLink::kThread || link == TraceLink::kAmbiguous;
  if (serving && !process.Received(header->parent_id)) {
    process.instrumented = true;
    ++stats_.by_traceparent;
  }
}

bool SdkInstrumentedProcesses::ReportsOwnSpans(uint32_t pid) {
  Process& process = Entry(pid);
  CheckEnvironment(pid, process);
  if (!process.instrumented) return false;
  ++stats_.spans_left_to_sdk;
  return true;
}

void SdkInstrumentedProcesses::Forget(uint32_t pid) { processes_.erase(pid); }

}  // namespace zerotrace
