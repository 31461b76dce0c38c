// Reads the --config YAML file into a configuration layer. Schema (all keys
// optional, a null value counts as unset, any other key is an error):
//
//   output: otlp                 # console | json | otlp
//   output_file: /var/log/spans.jsonl   # implies output json
//   stats_interval: 10           # seconds, >= 0
//   stats_file: /run/zerotrace/stats.prom   # final counters at exit (Prometheus text)
//   verbose: false
//   keep_query_values: false
//   ring_buffer_mb: 8            # 1..1024
//   ring_buffer_wakeup_kb: 256   # 0..1048576; 0 wakes the agent for every event
//   record: /var/tmp/zt.rec      # also record raw kernel events (for --replay)
//   record_max_mb: 1024          # 1..1048576; recording stops there, tracing goes on
//   select: {pids: [1234], ports: [8080], exe: "nginx|python"}
//   service_name: checkout
//   resource_attributes: {deployment.environment: prod}
//   sdk_disabled: false
//   telemetry: {enabled: true, address: "127.0.0.1:9400"}   # address "off" = enabled false
//   otlp:
//     endpoint: http://collector:4318              # base URL
//     traces_endpoint: http://c:4318/v1/traces     # full URL, beats endpoint
//     protocol: http/protobuf    # grpc | http/protobuf | http/json
//     headers: {api-key: secret} # or "api-key=secret,..." as in OTEL_EXPORTER_OTLP_HEADERS
//     compression: gzip          # none | gzip
//     timeout_ms: 10000
//     certificate: /etc/ssl/ca.pem
//     insecure: false
//     batch: {max_queue_size: 2048, max_export_batch_size: 512,
//             schedule_delay_ms: 5000, export_timeout_ms: 30000}
#include "agent/config/config_file.h"

#include <spdlog/fmt/fmt.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/config/config_values.h"
#include "agent/config/yaml_value_reader.h"
#include "base/text.h"
#include "exporter/otlp/otlp_endpoint.h"

namespace zerotrace {
namespace {

void ReadSelect(const YamlValueReader& r, const YAML::Node& select, ConfigLayer* layer) {
  r.CheckKeys(select, "select.", {"pids", "ports", "exe"});
  if (auto v = r.Value(select, "pids")) {
    layer->pids.emplace();
    for (const YAML::Node& pid : r.List(*v, "select.pids"))
      layer->pids->push_back(r.Unsigned(pid, "select.pids", 1, UINT32_MAX));
  }
  if (auto v = r.Value(select, "ports")) {
    layer->ports.emplace();
    for (const YAML::Node& port : r.List(*v, "select.ports"))
      layer->ports->push_back(r.Unsigned(port, "select.ports", 1, 65535));
  }
  if (auto v = r.Value(select, "exe")) {
    std::string regex = r.String(*v, "select.exe");
    if (auto problem = RegexProblem(regex)) r.Fail(*v, "select.exe", "a valid regex (" + *problem + ")");
    layer->exe_regex = std::move(regex);
  }
}

std::vector<otlp::HttpHeader> ReadHeaders(const YamlValueReader& r, const YAML::Node& node) {
  if (node.IsScalar()) return otlp::ParseHeaderList(node.Scalar());
  std::vector<otlp::HttpHeader> headers;
  for (auto& [name, value] : r.StringMap(node, "otlp.headers")) {
    // A line break would let a value inject further request headers.
    if (name.find_first_of(" \t\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos)
      r.Fail(node, "otlp.headers", "header names without spaces or colons, values without line breaks");
    headers.push_back({std::move(name), std::move(value)});
  }
  return headers;
}

void ReadBatch(const YamlValueReader& r, const YAML::Node& batch, ConfigLayer* layer) {
  r.CheckKeys(batch, "otlp.batch.",
              {"max_queue_size", "max_export_batch_size", "schedule_delay_ms", "export_timeout_ms"});
  if (auto v = r.Value(batch, "max_queue_size"))
    layer->max_queue_size = r.Unsigned(*v, "otlp.batch.max_queue_size", 1, kMaxConfigInteger);
  if (auto v = r.Value(batch, "max_export_batch_size"))
    layer->max_export_batch_size = r.Unsigned(*v, "otlp.batch.max_export_batch_size", 1, kMaxConfigInteger);
  if (auto v = r.Value(batch, "schedule_delay_ms"))
    layer->schedule_delay = r.Milliseconds(*v, "otlp.batch.schedule_delay_ms");
  if (auto v = r.Value(batch, "export_timeout_ms"))
    layer->export_timeout = r.Milliseconds(*v, "otlp.batch.export_timeout_ms");
}

void ReadOtlp(const YamlValueReader& r, const YAML::Node& otlp, ConfigLayer* layer) {
  r.CheckKeys(otlp, "otlp.",
              {"endpoint", "traces_endpoint", "protocol", "headers", "compression", "timeout_ms",
               "certificate", "insecure", "batch"});
  // Within the file, as in the environment, the full traces URL beats the base.
  std::string traces_url, base_url;
  if (auto v = r.Value(otlp, "traces_endpoint")) traces_url = TrimWhitespace(r.String(*v, "otlp.traces_endpoint"));
  if (auto v = r.Value(otlp, "endpoint")) base_url = TrimWhitespace(r.String(*v, "otlp.endpoint"));
  if (!traces_url.empty()) {
    layer->endpoint = EndpointChoice{traces_url, true};
  } else if (!base_url.empty()) {
    layer->endpoint = EndpointChoice{base_url, false};
  }
  if (auto v = r.Value(otlp, "protocol"))
    layer->protocol = r.Parsed(*v, "otlp.protocol", ParseOtlpProtocol, kProtocolExpected);
  if (auto v = r.Value(otlp, "headers")) layer->headers = ReadHeaders(r, *v);
  if (auto v = r.Value(otlp, "compression"))
    layer->compression = r.Parsed(*v, "otlp.compression", ParseOtlpCompression, kCompressionExpected);
  if (auto v = r.Value(otlp, "timeout_ms")) layer->timeout = r.Milliseconds(*v, "otlp.timeout_ms");
  if (auto v = r.Value(otlp, "certificate")) {
    std::string path = r.String(*v, "otlp.certificate");
    if (!path.empty()) layer->certificate = CertificateChoice{path, r.file() + ": otlp.certificate"};
  }
  if (auto v = r.Value(otlp, "insecure")) layer->insecure = r.Bool(*v, "otlp.insecure");
  if (auto batch = r.Section(otlp, "batch", "otlp.batch")) ReadBatch(r, *batch, layer);
}

void ReadTelemetry(const YamlValueReader& r, const YAML::Node& telemetry, ConfigLayer* layer) {
  r.CheckKeys(telemetry, "telemetry.", {"enabled", "address"});
  if (auto v = r.Value(telemetry, "address")) {
    const auto setting = r.Parsed(*v, "telemetry.address", ParseTelemetryAddress, kTelemetryAddressExpected);
    layer->telemetry_enabled = setting.enabled;
    if (setting.enabled) layer->telemetry_address = setting.address;
  }
  // Off wins within the file: "enabled: false" beside an address, or
  // "address: off" beside "enabled: true".
  if (auto v = r.Value(telemetry, "enabled")) {
    if (!r.Bool(*v, "telemetry.enabled")) {
      layer->telemetry_enabled = false;
    } else if (!layer->telemetry_enabled.has_value()) {
      layer->telemetry_enabled = true;
    }
  }
}

void ReadTopLevel(const YamlValueReader& r, const YAML::Node& root, ConfigLayer* layer) {
  r.CheckKeys(root, "",
              {"output", "output_file", "stats_interval", "stats_file", "verbose", "keep_query_values",
               "inject_traceparent", "ring_buffer_mb", "ring_buffer_wakeup_kb", "record", "record_max_mb",
               "select", "service_name", "resource_attributes", "sdk_disabled", "telemetry", "otlp"});
  if (auto v = r.Value(root, "output")) layer->output = r.Parsed(*v, "output", ParseOutputKind, kOutputExpected);
  if (auto v = r.Value(root, "output_file")) {
    std::string path = r.String(*v, "output_file");
    if (!path.empty()) layer->output_file = std::move(path);
    if (!ImplyJsonForOutputFile(layer)) r.Fail(*v, "output_file", "no output_file unless output is json");
  }
  if (auto v = r.Value(root, "stats_interval")) layer->stats_interval_s = r.Seconds(*v, "stats_interval");
  if (auto v = r.Value(root, "stats_file")) {
    std::string path = r.String(*v, "stats_file");
    if (!path.empty()) layer->stats_file = std::move(path);
  }
  if (auto v = r.Value(root, "verbose")) layer->verbose = r.Bool(*v, "verbose");
  if (auto v = r.Value(root, "keep_query_values")) layer->keep_query_values = r.Bool(*v, "keep_query_values");
  if (auto v = r.Value(root, "inject_traceparent"))
    layer->inject_traceparent = r.Bool(*v, "inject_traceparent");
  if (auto v = r.Value(root, "ring_buffer_mb"))
    layer->ring_buffer_mb = r.Unsigned(*v, "ring_buffer_mb", 1, 1024);
  if (auto v = r.Value(root, "ring_buffer_wakeup_kb"))
    layer->ring_buffer_wakeup_kb = r.Unsigned(*v, "ring_buffer_wakeup_kb", 0, 1 << 20);
  if (auto v = r.Value(root, "record")) {
    std::string path = r.String(*v, "record");
    if (!path.empty()) layer->record_file = std::move(path);
  }
  if (auto v = r.Value(root, "record_max_mb"))
    layer->record_max_mb = static_cast<uint32_t>(r.Unsigned(*v, "record_max_mb", 1, kMaxRecordMb));
  if (auto select = r.Section(root, "select", "select")) ReadSelect(r, *select, layer);
  if (auto v = r.Value(root, "service_name")) layer->service_name = r.String(*v, "service_name");
  if (auto v = r.Value(root, "resource_attributes"))
    layer->resource_attributes = r.StringMap(*v, "resource_attributes");
  if (auto v = r.Value(root, "sdk_disabled")) layer->sdk_disabled = r.Bool(*v, "sdk_disabled");
  if (auto telemetry = r.Section(root, "telemetry", "telemetry")) ReadTelemetry(r, *telemetry, layer);
  if (auto otlp = r.Section(root, "otlp", "otlp")) ReadOtlp(r, *otlp, layer);
}

// The file's text, or why it cannot be read.
std::optional<std::string> ReadWholeFile(const std::string& path, std::string* text) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return std::string("is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string(std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return std::string(std::strerror(errno));
  *text = buffer.str();
  return std::nullopt;
}

}  // namespace

std::optional<ConfigError> LoadConfigFile(const std::string& path, ConfigLayer* layer) {
  std::string text;
  if (auto problem = ReadWholeFile(path, &text))
    return ConfigError{fmt::format("{}: cannot read the configuration file: {}", path, *problem)};

  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return ConfigError{fmt::format("{}:{}: not valid YAML: {}", path, e.mark.line + 1, e.msg)};
  }
  if (root.IsNull()) return std::nullopt;  // an empty file sets nothing
  if (!root.IsMap())
    return ConfigError{fmt::format("{}: expected a mapping of settings, got {}", path, DescribeYamlNode(root))};

  try {
    ReadTopLevel(YamlValueReader(path), root, layer);
  } catch (const YamlValueError& error) {
    return ConfigError{error.message};
  } catch (const YAML::Exception& e) {  // e.g. a list used as a key
    return ConfigError{fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg)};
  }
  return std::nullopt;
}

}  // namespace zerotrace
