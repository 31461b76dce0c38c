// Defaults, endpoint resolution and whole-configuration checks.
#include "agent/config/config_resolution.h"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/text.h"
#include "exporter/otlp/batch_options.h"
#include "exporter/otlp/otlp_endpoint.h"

namespace zerotrace {
namespace {

// HTTP: a full traces URL ("/v1/traces" added to a base URL). gRPC: the
// target as given. Nothing configured: the protocol's default.
std::string ResolveEndpoint(const std::optional<EndpointChoice>& choice, otlp::OtlpProtocol protocol) {
  if (protocol == otlp::OtlpProtocol::kGrpc) return choice ? choice->url : otlp::kDefaultGrpcEndpoint;
  if (!choice) return otlp::kDefaultHttpTracesUrl;
  return choice->is_traces_url ? otlp::ResolveTracesUrl(choice->url, "") : otlp::ResolveTracesUrl("", choice->url);
}

std::optional<ConfigError> CheckReadable(const CertificateChoice& certificate) {
  std::error_code ec;
  if (std::filesystem::is_directory(certificate.path, ec))
    return ConfigError{fmt::format("{}: certificate file {:?} is a directory", certificate.origin, certificate.path)};
  std::ifstream in(certificate.path);
  if (!in)
    return ConfigError{fmt::format("{}: certificate file {:?} cannot be read: {}", certificate.origin,
                                   certificate.path, std::strerror(errno))};
  return std::nullopt;
}

// The replay file must open for reading; its contents are checked when read.
std::optional<ConfigError> CheckReplayFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return ConfigError{fmt::format("--replay {:?} is a directory, not a recording", path)};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ConfigError{fmt::format("--replay {:?} cannot be read: {}", path, std::strerror(errno))};
  ::close(fd);
  return std::nullopt;
}

// The record file must be creatable (or writable) now, not after the probes
// are attached. Nothing is truncated here; a file this check created is
// removed again.
std::optional<ConfigError> CheckRecordFile(const std::string& path) {
  if (path.empty()) return ConfigError{"--record needs a file name"};
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return ConfigError{fmt::format("record file {:?} is a directory", path)};
  const bool existed = std::filesystem::exists(path, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0)
    return ConfigError{fmt::format("record file {:?} cannot be written: {}", path, std::strerror(errno))};
  ::close(fd);
  if (!existed) std::filesystem::remove(path, ec);
  return std::nullopt;
}

// The stats file is written at exit as FILE.tmp, then renamed to FILE: the
// directory must take a new file now, not only once tracing is over. A
// FILE.tmp this check created is removed again.
std::optional<ConfigError> CheckStatsFile(const std::string& path) {
  if (path.empty()) return ConfigError{"--stats-file needs a file name"};
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return ConfigError{fmt::format("stats file {:?} is a directory", path)};
  const std::string tmp = path + ".tmp";
  const bool existed = std::filesystem::exists(tmp, ec);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return ConfigError{fmt::format("stats file {:?} cannot be written: creating {:?}: {}", path, tmp,
                                   std::strerror(errno))};
  ::close(fd);
  if (!existed) std::filesystem::remove(tmp, ec);
  return std::nullopt;
}

// What a replay can and cannot honour. The kernel applied --pid and --port
// while recording; --pid is applied again in userspace, so it can narrow a
// replay. --port has no userspace filter and --exe needs /proc of processes
// that are gone: both are refused rather than silently ignored.
std::optional<ConfigError> CheckReplay(const ConfigLayer& layer) {
  if (layer.record_file)
    return ConfigError{"--record and --replay do not go together: a replay traces nothing to record"};
  if (layer.stats_file)
    return ConfigError{"--stats-file (or stats_file) does not apply to --replay: a replay prints its "
                       "counters when it ends"};
  if (layer.ports && !layer.ports->empty())
    return ConfigError{"--port (or select.ports) does not apply to --replay: ports were filtered "
                       "when recording; record with --port instead"};
  if (layer.exe_regex && !layer.exe_regex->empty())
    return ConfigError{"--exe (or select.exe) does not apply to --replay: it needs /proc of the "
                       "recorded processes; record with --exe instead"};
  return CheckReplayFile(*layer.replay_file);
}

std::optional<ConfigError> ResolveOtlp(const ConfigLayer& layer, otlp::OtlpSettings* settings) {
  const otlp::OtlpSettings defaults;
  settings->protocol = layer.protocol.value_or(defaults.protocol);
  settings->endpoint = ResolveEndpoint(layer.endpoint, settings->protocol);
  settings->headers = layer.headers.value_or(defaults.headers);
  if (settings->protocol == otlp::OtlpProtocol::kGrpc) {
    // gRPC metadata keys must be lower case.
    for (auto& header : settings->headers)
      header.name = ToLowerAscii(header.name);
  }
  settings->compression = layer.compression.value_or(defaults.compression);
  settings->timeout = layer.timeout.value_or(defaults.timeout);
  if (layer.certificate) {
    if (auto error = CheckReadable(*layer.certificate)) return error;
    settings->certificate_file = layer.certificate->path;
  }
  settings->insecure = layer.insecure.value_or(defaults.insecure);

  otlp::BatchOptions batch;
  batch.max_queue_size = layer.max_queue_size.value_or(batch.max_queue_size);
  batch.max_export_batch_size = layer.max_export_batch_size.value_or(batch.max_export_batch_size);
  batch.schedule_delay = layer.schedule_delay.value_or(batch.schedule_delay);
  batch.export_timeout = layer.export_timeout.value_or(batch.export_timeout);
  settings->batch = otlp::Normalized(batch);
  return std::nullopt;
}

}  // namespace

std::optional<ConfigError> ResolveAgentConfig(const ConfigLayer& layer, AgentConfig* config) {
  const AgentConfig defaults;
  // No explicit output: OTLP as soon as any source configured an endpoint.
  config->output = layer.output.value_or(layer.endpoint ? OutputKind::kOtlp : OutputKind::kConsole);
  if (layer.output_file && config->output == OutputKind::kJson) {
    config->output_file = *layer.output_file;
  } else if (layer.output_file) {
    // Each source checks its own pair, so this file came from a lower source
    // than the output that overrides it.
    spdlog::warn("ignoring output file {:?}: the output is not json", *layer.output_file);
  }

  config->pids = layer.pids.value_or(defaults.pids);
  config->ports = layer.ports.value_or(defaults.ports);
  config->exe_regex = layer.exe_regex.value_or(defaults.exe_regex);
  config->verbose = layer.verbose.value_or(defaults.verbose);
  config->keep_query_values = layer.keep_query_values.value_or(defaults.keep_query_values);
  config->inject_traceparent = layer.inject_traceparent.value_or(defaults.inject_traceparent);
  config->ring_buffer_mb = layer.ring_buffer_mb.value_or(defaults.ring_buffer_mb);
  config->ring_buffer_wakeup_kb = layer.ring_buffer_wakeup_kb.value_or(defaults.ring_buffer_wakeup_kb);
  config->stats_interval_s = layer.stats_interval_s.value_or(defaults.stats_interval_s);
  if (layer.stats_file && !layer.replay_file) {
    if (auto error = CheckStatsFile(*layer.stats_file)) return error;
    config->stats_file = *layer.stats_file;
  }
  config->telemetry.enabled = layer.telemetry_enabled.value_or(defaults.telemetry.enabled);
  config->telemetry.address = layer.telemetry_address.value_or(defaults.telemetry.address);
  config->telemetry.address_given = layer.telemetry_address.has_value();

  config->sdk_disabled = layer.sdk_disabled.value_or(defaults.sdk_disabled);
  config->service_name = layer.service_name.value_or(defaults.service_name);
  config->resource_attributes = layer.resource_attributes.value_or(defaults.resource_attributes);

  config->record_max_mb = layer.record_max_mb.value_or(defaults.record_max_mb);
  if (layer.replay_file) {
    if (auto error = CheckReplay(layer)) return error;
    config->replay_file = *layer.replay_file;
  } else if (layer.record_file) {
    if (auto error = CheckRecordFile(*layer.record_file)) return error;
    config->record_file = *layer.record_file;
  }
  return ResolveOtlp(layer, &config->otlp);
}

}  // namespace zerotrace
