// What the user asked for. Three sources, highest first: command-line flags,
// the environment (the standard OTEL_* variables), and a YAML file given
// with --config. ParseAgentConfig merges them and validates the result; a
// bad flag, variable, key or value is one clear line and exit code 2.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/otlp/otlp_settings.h"

namespace zerotrace {

enum class OutputKind { kConsole, kJson, kOtlp };

// A TCP address to listen on. IPv6 hosts are kept without their brackets.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
  bool operator==(const ListenAddress&) const = default;
};

// The agent's own /healthz, /readyz and /metrics endpoints.
struct TelemetryConfig {
  bool enabled = true;
  ListenAddress address{"127.0.0.1", 9400};
  // True when a flag or the file named the address: if it cannot be bound
  // the agent stops (exit 2). The default address is best effort: a second
  // agent on the host warns and runs without endpoints.
  bool address_given = false;
};

struct AgentConfig {
  // Console unless an OTLP endpoint is configured (any source) or OTLP is
  // asked for explicitly.
  OutputKind output = OutputKind::kConsole;
  std::string output_file;  // JSON lines target; empty: stdout

  // Which processes and connections to trace.
  std::vector<uint32_t> pids;
  std::vector<uint16_t> ports;
  std::string exe_regex;

  bool verbose = false;
  bool keep_query_values = false;  // query-string values are secrets by default
  // Add a traceparent to outgoing HTTP/1.x requests (sockops + sk_msg). Off
  // by default: it edits the traced programs' traffic.
  bool inject_traceparent = false;
  uint32_t ring_buffer_mb = 8;
  // The kernel wakes the agent once this much waits (the agent also polls
  // every 100 ms); 0: for every event, as it costs traced programs an
  // interrupt each (docs/performance.md).
  uint32_t ring_buffer_wakeup_kb = 256;
  double stats_interval_s = 0;  // 0: only on exit
  // --stats-file FILE: at exit, after the last flush, the final counters as
  // /metrics serves them (Prometheus text), written to FILE.tmp then renamed
  // so a reader never sees half a file. Empty: none.
  std::string stats_file;
  TelemetryConfig telemetry;

  // OTEL_SDK_DISABLED=true: attach nothing, export nothing, idle until stopped.
  bool sdk_disabled = false;
  // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES given to the agent: applied
  // to the resource of every traced process (service_name wins over a
  // service.name in resource_attributes, as in the SDKs).
  std::string service_name;
  std::vector<std::pair<std::string, std::string>> resource_attributes;

  // Fully resolved: endpoint never empty (defaults per protocol), headers
  // parsed, batch options from OTEL_BSP_* or the file.
  otlp::OtlpSettings otlp;

  std::string config_file;  // --config, for messages

  // --record FILE: also append every raw kernel record of the traced
  // processes to FILE (agent/events/event_recording.h), at most
  // record_max_mb MiB. --replay FILE: no BPF; feed such a file through the
  // pipeline and exit. Never both.
  std::string record_file;
  uint32_t record_max_mb = 1024;
  std::string replay_file;
};

// Reads an environment variable; tests substitute a map.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup ProcessEnvironment();

// Parses argv, the environment and the --config file into *config. On
// --help/--version, or an error (printed as one line to stderr), returns the
// exit code to use; otherwise std::nullopt.
std::optional<int> ParseAgentConfig(int argc, const char* const* argv, const EnvLookup& env,
                                    AgentConfig* config);

}  // namespace zerotrace
