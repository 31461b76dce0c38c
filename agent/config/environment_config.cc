// Reads the OTEL_* variables into a configuration layer.
#include "agent/config/environment_config.h"

#include <spdlog/fmt/fmt.h>

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#include "agent/config/config_values.h"
#include "base/text.h"
#include "exporter/otlp/otlp_endpoint.h"

namespace zerotrace {
namespace {

struct FoundVariable {
  const char* name;
  std::string value;  // trimmed, never empty
};

// Looks variables up, first set one wins, and keeps the first error seen so
// the loader can read on without checking after every variable.
class EnvironmentReader {
 public:
  explicit EnvironmentReader(const EnvLookup& env) : env_(env) {}

  std::optional<FoundVariable> First(std::initializer_list<const char*> names) const {
    for (const char* name : names) {
      std::optional<std::string> raw = env_(name);
      if (!raw) continue;
      std::string_view value = TrimWhitespace(*raw);
      if (!value.empty()) return FoundVariable{name, std::string(value)};
    }
    return std::nullopt;
  }

  // The first set variable among `names` through `parse`; records an error
  // naming it when `parse` refuses the value.
  template <typename Parse>
  auto Parsed(std::initializer_list<const char*> names, Parse parse, std::string_view expected)
      -> decltype(parse(std::string_view())) {
    std::optional<FoundVariable> found = First(names);
    if (!found) return std::nullopt;
    auto value = parse(found->value);
    if (!value) Fail(*found, expected);
    return value;
  }

  void Fail(const FoundVariable& found, std::string_view expected) {
    if (!error_) error_ = ConfigError{fmt::format("{}={:?}: expected {}", found.name, found.value, expected)};
  }

  std::optional<ConfigError> error() const { return error_; }

 private:
  const EnvLookup& env_;
  std::optional<ConfigError> error_;
};

std::optional<std::chrono::milliseconds> Milliseconds(std::string_view text) {
  if (auto value = ParsePositiveInteger(text)) return std::chrono::milliseconds(*value);
  return std::nullopt;
}

void ReadOtlpExporter(EnvironmentReader& reader, ConfigLayer* layer) {
  if (auto url = reader.First({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"})) {
    layer->endpoint = EndpointChoice{url->value, true};
  } else if (auto base = reader.First({"OTEL_EXPORTER_OTLP_ENDPOINT"})) {
    layer->endpoint = EndpointChoice{base->value, false};
  }
  layer->protocol = reader.Parsed({"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"},
                                  ParseOtlpProtocol, kProtocolExpected);
  if (auto list = reader.First({"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"}))
    layer->headers = otlp::ParseHeaderList(list->value);
  layer->compression =
      reader.Parsed({"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"},
                    ParseOtlpCompression, kCompressionExpected);
  layer->timeout = reader.Parsed({"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"},
                                 Milliseconds, "a positive integer (milliseconds)");
  if (auto path = reader.First({"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE"}))
    layer->certificate = CertificateChoice{path->value, path->name};
  layer->insecure = reader.Parsed({"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE"},
                                  ParseTrueFalse, kTrueFalseExpected);
}

void ReadResource(EnvironmentReader& reader, ConfigLayer* layer) {
  if (auto name = reader.First({"OTEL_SERVICE_NAME"})) layer->service_name = name->value;
  layer->resource_attributes = reader.Parsed(
      {"OTEL_RESOURCE_ATTRIBUTES"}, ParseResourceAttributesEnv,
      "comma-separated key=value pairs, percent-encoded where needed");
  layer->sdk_disabled = reader.Parsed({"OTEL_SDK_DISABLED"}, ParseTrueFalse, kTrueFalseExpected);
}

void ReadBatchProcessor(EnvironmentReader& reader, ConfigLayer* layer) {
  constexpr char kMilliseconds[] = "a positive integer (milliseconds)";
  if (auto size = reader.Parsed({"OTEL_BSP_MAX_QUEUE_SIZE"}, ParsePositiveInteger, kPositiveIntegerExpected))
    layer->max_queue_size = *size;
  if (auto size = reader.Parsed({"OTEL_BSP_MAX_EXPORT_BATCH_SIZE"}, ParsePositiveInteger,
                                kPositiveIntegerExpected))
    layer->max_export_batch_size = *size;
  layer->schedule_delay = reader.Parsed({"OTEL_BSP_SCHEDULE_DELAY"}, Milliseconds, kMilliseconds);
  layer->export_timeout = reader.Parsed({"OTEL_BSP_EXPORT_TIMEOUT"}, Milliseconds, kMilliseconds);
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<ConfigError> LoadEnvironmentConfig(const EnvLookup& env, ConfigLayer* layer) {
  EnvironmentReader reader(env);
  ReadOtlpExporter(reader, layer);
  ReadResource(reader, layer);
  ReadBatchProcessor(reader, layer);
  return reader.error();
}

}  // namespace zerotrace
