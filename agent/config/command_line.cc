// Command-line flags into a configuration layer. Only flags actually given
// set a field, so the environment and the file still apply for the rest.
#include "agent/config/command_line.h"

#include <CLI/CLI.hpp>
#include <spdlog/fmt/fmt.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "agent/config/config_error.h"
#include "agent/config/config_values.h"
#include "base/text.h"

namespace zerotrace {
namespace {

constexpr char kDescription[] =
    "zerotrace: traces unmodified programs with eBPF and exports OpenTelemetry spans.\n"
    "Settings come from these flags, then the OTEL_* environment variables (OTEL_EXPORTER_OTLP_*,\n"
    "OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_*, OTEL_SDK_DISABLED), then the\n"
    "--config YAML file. Spans go to OTLP when an endpoint is configured, otherwise to a trace\n"
    "waterfall in this terminal.";

// Raw flag values, copied into the layer only for flags that were given.
struct FlagValues {
  std::string output, output_file, exe, endpoint, protocol, compression, service_name, telemetry_address;
  std::string record, replay, stats_file;
  uint32_t record_max_mb = 0;
  std::vector<uint32_t> pids;
  std::vector<uint16_t> ports;
  bool verbose = false, keep_query_values = false, inject_traceparent = false;
  uint32_t ring_buffer_mb = 0;
  uint32_t ring_buffer_wakeup_kb = 0;
  double stats_interval_s = 0;
};

// An --otlp-endpoint is a base URL, like OTEL_EXPORTER_OTLP_ENDPOINT, unless
// it already is a traces URL.
EndpointChoice EndpointFromFlag(std::string_view url) {
  url = TrimWhitespace(url);
  constexpr std::string_view kTracesPath = "/v1/traces";
  const bool is_traces_url =
      url.size() >= kTracesPath.size() && url.substr(url.size() - kTracesPath.size()) == kTracesPath;
  return EndpointChoice{std::string(url), is_traces_url};
}

}  // namespace

std::variant<CommandLine, int> ParseCommandLine(int argc, const char* const* argv) {
  CLI::App app{kDescription, "zerotrace"};
  app.set_version_flag("--version", std::string("zerotrace ") + ZEROTRACE_VERSION);
  FlagValues flags;
  CommandLine result;

  app.add_option("--config", result.config_file, "YAML configuration file (flags and OTEL_* variables win over it)");
  auto* output = app.add_option("-o,--output", flags.output, "console, json or otlp")
                     ->check(CLI::IsMember({"console", "json", "otlp"}));
  auto* output_file =
      app.add_option("--output-file", flags.output_file, "write JSON lines here instead of stdout (implies json)");
  auto* pids = app.add_option("-p,--pid", flags.pids, "trace only these process ids (repeatable)");
  auto* ports = app.add_option("--port", flags.ports, "trace only connections with this local or peer port (repeatable)")
                    ->check(CLI::Range(1, 65535));
  auto* exe = app.add_option("--exe", flags.exe, "trace only processes whose executable path matches this regex");
  auto* verbose = app.add_flag("-v,--verbose", flags.verbose, "debug logs, including libbpf's");
  auto* keep_query = app.add_flag("--keep-query-values", flags.keep_query_values,
                                  "export query-string values as sent (they may hold secrets)");
  auto* inject = app.add_flag("--inject-traceparent{true}", flags.inject_traceparent,
                              "add a W3C traceparent to traced programs' outgoing HTTP/1.x requests so "
                              "other hosts continue the trace (--inject-traceparent=false: off, the "
                              "default)");
  auto* ring_buffer = app.add_option("--ring-buffer-mb", flags.ring_buffer_mb, "kernel event ring buffer size")
                          ->check(CLI::Range(1, 1024));
  auto* wakeup = app.add_option("--ring-buffer-wakeup-kb", flags.ring_buffer_wakeup_kb,
                                "wake the agent once this many KiB of events wait, else every 100 ms "
                                "(default 256; 0: for every event, which costs traced programs more)")
                     ->check(CLI::Range(0, 1 << 20));
  auto* stats = app.add_option("--stats-interval", flags.stats_interval_s,
                               "print counters every N seconds (0: only on exit)")
                    ->check(CLI::NonNegativeNumber);
  auto* stats_file = app.add_option("--stats-file", flags.stats_file,
                                    "at exit, write the final counters here as Prometheus text "
                                    "(what /metrics serves), via FILE.tmp and a rename");
  auto* telemetry = app.add_option("--telemetry-address", flags.telemetry_address,
                                   "serve /healthz, /readyz and /metrics (Prometheus) on HOST:PORT "
                                   "(default 127.0.0.1:9400; off: no endpoints)");
  auto* endpoint = app.add_option("--otlp-endpoint", flags.endpoint,
                                  "OTLP collector base URL (\"/v1/traces\" is added for HTTP unless present)");
  auto* protocol = app.add_option("--otlp-protocol", flags.protocol, kProtocolExpected)
                       ->check(CLI::IsMember({"grpc", "http/protobuf", "http/json"}));
  auto* compression = app.add_option("--otlp-compression", flags.compression, kCompressionExpected)
                          ->check(CLI::IsMember({"none", "gzip"}));
  auto* service_name = app.add_option("--service-name", flags.service_name,
                                      "service.name for every traced process (like OTEL_SERVICE_NAME)");
  auto* record = app.add_option("--record", flags.record,
                                "also append the raw kernel events of traced processes to this file, "
                                "for --replay");
  auto* record_max_mb = app.add_option("--record-max-mb", flags.record_max_mb,
                                       "stop recording (tracing goes on) when the file reaches this "
                                       "size (default 1024)")
                            ->check(CLI::Range(1u, kMaxRecordMb));
  auto* replay = app.add_option("--replay", flags.replay,
                                "no tracing: feed a --record file through the pipeline to the "
                                "configured output, print the counters and exit (no root needed)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return ReportConfigError({e.what()});
  }
  if (auto problem = RegexProblem(flags.exe))
    return ReportConfigError({fmt::format("--exe {:?} is not a valid regex: {}", flags.exe, *problem)});
  std::optional<TelemetryAddressSetting> telemetry_setting;
  if (telemetry->count() > 0) {
    telemetry_setting = ParseTelemetryAddress(flags.telemetry_address);
    if (!telemetry_setting)
      return ReportConfigError({fmt::format("--telemetry-address {:?}: expected {}", flags.telemetry_address,
                                            kTelemetryAddressExpected)});
  }

  ConfigLayer& layer = result.layer;
  if (output->count() > 0) layer.output = ParseOutputKind(flags.output);
  if (output_file->count() > 0 && !flags.output_file.empty()) layer.output_file = flags.output_file;
  if (!ImplyJsonForOutputFile(&layer))
    return ReportConfigError({"--output-file only applies to --output json"});
  if (pids->count() > 0) layer.pids = flags.pids;
  if (ports->count() > 0) layer.ports = flags.ports;
  if (exe->count() > 0) layer.exe_regex = flags.exe;
  if (verbose->count() > 0) layer.verbose = flags.verbose;
  if (keep_query->count() > 0) layer.keep_query_values = flags.keep_query_values;
  if (inject->count() > 0) layer.inject_traceparent = flags.inject_traceparent;
  if (ring_buffer->count() > 0) layer.ring_buffer_mb = flags.ring_buffer_mb;
  if (wakeup->count() > 0) layer.ring_buffer_wakeup_kb = flags.ring_buffer_wakeup_kb;
  if (stats->count() > 0) layer.stats_interval_s = flags.stats_interval_s;
  if (stats_file->count() > 0) layer.stats_file = flags.stats_file;
  if (telemetry_setting) {
    layer.telemetry_enabled = telemetry_setting->enabled;
    if (telemetry_setting->enabled) layer.telemetry_address = telemetry_setting->address;
  }
  if (endpoint->count() > 0 && !TrimWhitespace(flags.endpoint).empty()) layer.endpoint = EndpointFromFlag(flags.endpoint);
  if (protocol->count() > 0) layer.protocol = ParseOtlpProtocol(flags.protocol);
  if (compression->count() > 0) layer.compression = ParseOtlpCompression(flags.compression);
  if (service_name->count() > 0 && !flags.service_name.empty()) layer.service_name = flags.service_name;
  if (record->count() > 0) layer.record_file = flags.record;
  if (record_max_mb->count() > 0) layer.record_max_mb = flags.record_max_mb;
  if (replay->count() > 0) layer.replay_file = flags.replay;
  return result;
}

}  // namespace zerotrace
