// What the user asked for, from the command line and the OTEL_* environment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zerotrace {

enum class OutputKind { kConsole, kJson, kOtlp };

struct AgentConfig {
  std::optional<OutputKind> output;  // unset: OTLP when an endpoint is set, else console
  std::string output_file;           // JSON lines target; empty: stdout
  std::vector<uint32_t> pids;
  std::vector<uint16_t> ports;
  std::string exe_regex;
  bool verbose = false;
  bool keep_query_values = false;  // query-string values are secrets by default
  uint32_t ring_buffer_mb = 8;
  double stats_interval_s = 0;  // 0: only on exit
};

// Parses argv. On --help/--version or an error, returns the exit code to
// use (the message has been printed); otherwise std::nullopt.
std::optional<int> ParseCommandLine(int argc, char** argv, AgentConfig& config);

}  // namespace zerotrace
