// The OTEL_* variables: spec precedence (signal-specific over generic),
// empty means unset, and a set but invalid value is an error.
#include <gtest/gtest.h>

#include "agent/config/environment_config.h"
#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::EnvMap;
using testing::ExpectConfigError;
using testing::Parse;
using testing::TempFile;
using std::chrono::milliseconds;

AgentConfig ParsedWith(EnvMap env) {
  auto outcome = Parse({}, std::move(env));
  EXPECT_FALSE(outcome.exit_code) << outcome.error_output;
  return outcome.config;
}

TEST(EnvironmentConfig, NothingSetGivesTheDefaults) {
  const AgentConfig c = ParsedWith({});
  EXPECT_EQ(c.output, OutputKind::kConsole);
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(c.otlp.endpoint, otlp::kDefaultHttpTracesUrl);
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kNone);
  EXPECT_EQ(c.otlp.timeout, milliseconds(10000));
  EXPECT_EQ(c.otlp.batch.max_queue_size, 2048u);
  EXPECT_FALSE(c.sdk_disabled);
  EXPECT_TRUE(c.otlp.headers.empty());
}

TEST(EnvironmentConfig, GenericEndpointIsABaseForHttp) {
  const AgentConfig c = ParsedWith({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}});
  EXPECT_EQ(c.otlp.endpoint, "http://collector:4318/v1/traces");
  EXPECT_EQ(c.output, OutputKind::kOtlp);  // an endpoint means OTLP output
}

TEST(EnvironmentConfig, TracesSpecificBeatsGeneric) {
  const AgentConfig c = ParsedWith({
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"},
      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom"},
      {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
      {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "k=generic"},
      {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "k=traces"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "none"},
      {"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"},
      {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2000"},
      {"OTEL_EXPORTER_OTLP_INSECURE", "false"},
      {"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "TRUE"},
  });
  EXPECT_EQ(c.otlp.endpoint, "http://traces:9999/custom");
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpJson);
  ASSERT_EQ(c.otlp.headers.size(), 1u);
  EXPECT_EQ(c.otlp.headers[0].value, "traces");
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kGzip);
  EXPECT_EQ(c.otlp.timeout, milliseconds(2000));
  EXPECT_TRUE(c.otlp.insecure);
}

TEST(EnvironmentConfig, TracesCertificateBeatsGeneric) {
  TempFile generic("generic", ".pem"), traces("traces", ".pem");
  const AgentConfig c = ParsedWith({{"OTEL_EXPORTER_OTLP_CERTIFICATE", generic.path()},
                                    {"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", traces.path()}});
  EXPECT_EQ(c.otlp.certificate_file, traces.path());
}

TEST(EnvironmentConfig, EmptyValuesCountAsUnset) {
  const AgentConfig c = ParsedWith({
      {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""},
      {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"},
      {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", " "},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", ""},
      {"OTEL_BSP_MAX_QUEUE_SIZE", ""},
  });
  EXPECT_EQ(c.otlp.endpoint, "http://generic:4318/v1/traces");
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(c.otlp.timeout, milliseconds(10000));
  EXPECT_EQ(c.otlp.batch.max_queue_size, 2048u);
}

TEST(EnvironmentConfig, GrpcDefaultsAndUsesTheBaseAsIs) {
  AgentConfig c = ParsedWith({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}});
  EXPECT_EQ(c.otlp.endpoint, "http://localhost:4317");
  EXPECT_EQ(c.output, OutputKind::kConsole);  // a protocol alone is no endpoint

  c = ParsedWith({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"}});
  EXPECT_EQ(c.otlp.endpoint, "collector:4317");
}

TEST(EnvironmentConfig, GrpcHeaderNamesAreLowerCased) {
  const AgentConfig c = ParsedWith(
      {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_HEADERS", "API-Key=Secret,X-Team=A"}});
  ASSERT_EQ(c.otlp.headers.size(), 2u);
  EXPECT_EQ(c.otlp.headers[0].name, "api-key");
  EXPECT_EQ(c.otlp.headers[0].value, "Secret");  // values keep their case
  EXPECT_EQ(c.otlp.headers[1].name, "x-team");
}

TEST(EnvironmentConfig, ResourceServiceAndSdkSwitch) {
  const AgentConfig c = ParsedWith({{"OTEL_SERVICE_NAME", "cart"},
                                    {"OTEL_RESOURCE_ATTRIBUTES", "team=a,deployment.environment=prod%2Ceu"},
                                    {"OTEL_SDK_DISABLED", "True"}});
  EXPECT_EQ(c.service_name, "cart");
  ASSERT_EQ(c.resource_attributes.size(), 2u);
  EXPECT_EQ(c.resource_attributes[1].second, "prod,eu");
  EXPECT_TRUE(c.sdk_disabled);
}

TEST(EnvironmentConfig, BatchProcessorVariablesThenNormalized) {
  AgentConfig c = ParsedWith({{"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                              {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"},
                              {"OTEL_BSP_SCHEDULE_DELAY", "250"},
                              {"OTEL_BSP_EXPORT_TIMEOUT", "1000"}});
  EXPECT_EQ(c.otlp.batch.max_queue_size, 100u);
  EXPECT_EQ(c.otlp.batch.max_export_batch_size, 10u);
  EXPECT_EQ(c.otlp.batch.schedule_delay, milliseconds(250));
  EXPECT_EQ(c.otlp.batch.export_timeout, milliseconds(1000));

  // A batch larger than the queue is cut to the queue (otlp::Normalized).
  c = ParsedWith({{"OTEL_BSP_MAX_QUEUE_SIZE", "50"}, {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "80"}});
  EXPECT_EQ(c.otlp.batch.max_export_batch_size, 50u);
}

TEST(EnvironmentConfigErrors, BadProtocol) {
  ExpectConfigError(Parse({}, {{"OTEL_EXPORTER_OTLP_PROTOCOL", "thrift"}}),
                    {"OTEL_EXPORTER_OTLP_PROTOCOL", "\"thrift\"", "http/protobuf"});
  ExpectConfigError(Parse({}, {{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "HTTP"}}),
                    {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"});
}

TEST(EnvironmentConfigErrors, BadCompression) {
  ExpectConfigError(Parse({}, {{"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"}}),
                    {"OTEL_EXPORTER_OTLP_COMPRESSION", "\"zstd\"", "none or gzip"});
}

TEST(EnvironmentConfigErrors, NonNumericOrZeroTimeout) {
  ExpectConfigError(Parse({}, {{"OTEL_EXPORTER_OTLP_TIMEOUT", "10s"}}), {"OTEL_EXPORTER_OTLP_TIMEOUT", "\"10s\""});
  ExpectConfigError(Parse({}, {{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0"}}), {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"});
}

TEST(EnvironmentConfigErrors, ZeroOrNegativeBatchSettings) {
  ExpectConfigError(Parse({}, {{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "0"}}), {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "positive"});
  ExpectConfigError(Parse({}, {{"OTEL_BSP_MAX_QUEUE_SIZE", "-5"}}), {"OTEL_BSP_MAX_QUEUE_SIZE"});
  ExpectConfigError(Parse({}, {{"OTEL_BSP_SCHEDULE_DELAY", "fast"}}), {"OTEL_BSP_SCHEDULE_DELAY"});
  ExpectConfigError(Parse({}, {{"OTEL_BSP_EXPORT_TIMEOUT", "0"}}), {"OTEL_BSP_EXPORT_TIMEOUT"});
}

TEST(EnvironmentConfigErrors, BadBooleans) {
  ExpectConfigError(Parse({}, {{"OTEL_SDK_DISABLED", "yes"}}), {"OTEL_SDK_DISABLED", "true or false"});
  ExpectConfigError(Parse({}, {{"OTEL_EXPORTER_OTLP_INSECURE", "1"}}), {"OTEL_EXPORTER_OTLP_INSECURE"});
}

TEST(EnvironmentConfigErrors, MissingCertificateFile) {
  ExpectConfigError(Parse({}, {{"OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem"}}),
                    {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem"});
}

TEST(EnvironmentConfigErrors, MalformedResourceAttributes) {
  ExpectConfigError(Parse({}, {{"OTEL_RESOURCE_ATTRIBUTES", "team=a,broken"}}), {"OTEL_RESOURCE_ATTRIBUTES", "broken"});
  ExpectConfigError(Parse({}, {{"OTEL_RESOURCE_ATTRIBUTES", "k=%zz"}}), {"OTEL_RESOURCE_ATTRIBUTES"});
}

TEST(EnvironmentConfigErrors, LoaderNamesVariableValueAndExpectation) {
  ConfigLayer layer;
  auto error = LoadEnvironmentConfig(testing::MapEnvironment({{"OTEL_EXPORTER_OTLP_TIMEOUT", "abc"}}), &layer);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "OTEL_EXPORTER_OTLP_TIMEOUT=\"abc\": expected a positive integer (milliseconds)");
}

}  // namespace
}  // namespace zerotrace
