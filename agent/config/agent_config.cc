#include "agent/config/agent_config.h"

#include <CLI/CLI.hpp>

#include <map>
#include <regex>

namespace zerotrace {

std::optional<int> ParseCommandLine(int argc, char** argv, AgentConfig& config) {
  CLI::App app{
      "zerotrace: traces unmodified programs with eBPF and exports OpenTelemetry spans.\n"
      "Spans go to OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set,\n"
      "otherwise to a trace waterfall in this terminal."};
  app.set_version_flag("--version", std::string("zerotrace ") + ZEROTRACE_VERSION);

  const std::map<std::string, OutputKind> outputs{
      {"console", OutputKind::kConsole}, {"json", OutputKind::kJson}, {"otlp", OutputKind::kOtlp}};
  std::string output;
  auto* output_opt = app.add_option("-o,--output", output, "console, json or otlp")
                         ->check(CLI::IsMember({"console", "json", "otlp"}));
  app.add_option("--output-file", config.output_file,
                 "with --output json: write JSON lines here instead of stdout");
  app.add_option("-p,--pid", config.pids, "trace only these process ids (repeatable)");
  app.add_option("--port", config.ports,
                 "trace only connections with this local or peer port (repeatable)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--exe", config.exe_regex,
                 "trace only processes whose executable path matches this regex");
  app.add_flag("-v,--verbose", config.verbose, "debug logs, including libbpf's");
  app.add_flag("--keep-query-values", config.keep_query_values,
               "export query-string values as sent (they may hold secrets)");
  app.add_option("--ring-buffer-mb", config.ring_buffer_mb, "kernel event ring buffer size")
      ->check(CLI::Range(1, 1024));
  app.add_option("--stats-interval", config.stats_interval_s,
                 "print counters every N seconds (0: only on exit)")
      ->check(CLI::NonNegativeNumber);

  try {
    app.parse(argc, argv);
    if (!config.exe_regex.empty()) std::regex check(config.exe_regex);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::regex_error& e) {
    std::fprintf(stderr, "zerotrace: --exe '%s' is not a valid regex: %s\n",
                 config.exe_regex.c_str(), e.what());
    return 2;
  }
  if (output_opt->count() > 0) config.output = outputs.at(output);
  if (!config.output_file.empty() && config.output.value_or(OutputKind::kJson) != OutputKind::kJson) {
    std::fprintf(stderr, "zerotrace: --output-file only applies to --output json\n");
    return 2;
  }
  if (!config.output_file.empty()) config.output = OutputKind::kJson;
  return std::nullopt;
}

}  // namespace zerotrace
