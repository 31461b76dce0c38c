// What one configuration source (flags, environment, YAML file) said. Every
// field is optional: unset means "this source has no opinion", so layers can
// be stacked, the higher source winning field by field.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/agent_config.h"
#include "agent/process/resource_attributes_env.h"
#include "exporter/otlp/http_header.h"
#include "exporter/otlp/otlp_settings.h"

namespace zerotrace {

// Where to export, as one source gave it. Within a source the traces-specific
// setting (a full URL) beats the generic one (a base URL).
struct EndpointChoice {
  std::string url;
  // True: a full traces URL, used as-is. False: a base URL that HTTP
  // protocols extend with "/v1/traces" (gRPC uses it as-is either way).
  bool is_traces_url = false;
};

// A CA bundle path and where it was given, for the start-up check's message.
struct CertificateChoice {
  std::string path;
  std::string origin;  // e.g. "OTEL_EXPORTER_OTLP_CERTIFICATE", "config.yaml: otlp.certificate"
};

struct ConfigLayer {
  std::optional<OutputKind> output;
  std::optional<std::string> output_file;
  std::optional<std::vector<uint32_t>> pids;
  std::optional<std::vector<uint16_t>> ports;
  std::optional<std::string> exe_regex;
  std::optional<bool> verbose;
  std::optional<bool> keep_query_values;
  std::optional<bool> inject_traceparent;
  std::optional<uint32_t> ring_buffer_mb;
  std::optional<uint32_t> ring_buffer_wakeup_kb;
  std::optional<double> stats_interval_s;
  std::optional<std::string> stats_file;
  std::optional<bool> telemetry_enabled;
  std::optional<ListenAddress> telemetry_address;
  std::optional<std::string> record_file;
  std::optional<uint32_t> record_max_mb;
  std::optional<std::string> replay_file;  // flag only: a one-off command, not a setting

  std::optional<bool> sdk_disabled;
  std::optional<std::string> service_name;
  std::optional<ResourceAttributePairs> resource_attributes;

  std::optional<EndpointChoice> endpoint;
  std::optional<otlp::OtlpProtocol> protocol;
  std::optional<std::vector<otlp::HttpHeader>> headers;
  std::optional<otlp::OtlpCompression> compression;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<CertificateChoice> certificate;
  std::optional<bool> insecure;

  std::optional<size_t> max_queue_size;
  std::optional<size_t> max_export_batch_size;
  std::optional<std::chrono::milliseconds> schedule_delay;
  std::optional<std::chrono::milliseconds> export_timeout;
};

// Puts `higher` over *base: each field `higher` sets replaces the base's
// (lists and headers as a whole); resource attributes merge by key, the
// higher source's value winning for a key both give.
void Overlay(const ConfigLayer& higher, ConfigLayer* base);

// An output file means JSON lines. Within one source: sets output to kJson
// when that source left it unset; returns false (a contradiction the caller
// reports) when the same source asked for console or otlp.
bool ImplyJsonForOutputFile(ConfigLayer* layer);

}  // namespace zerotrace
