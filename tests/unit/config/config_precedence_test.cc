// Which source wins: command line > environment > YAML file, field by field,
// and the defaults when none says anything.
#include <gtest/gtest.h>

#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::EnvMap;
using testing::Parse;
using testing::TempFile;
using std::chrono::milliseconds;

AgentConfig ParsedWith(std::vector<std::string> args, EnvMap env = {}) {
  auto outcome = Parse(std::move(args), std::move(env));
  EXPECT_FALSE(outcome.exit_code) << outcome.error_output;
  return outcome.config;
}

class Precedence : public ::testing::Test {
 protected:
  TempFile file_{R"(
service_name: from-file
resource_attributes: {team: file-team, region: eu}
select: {pids: [1, 2], ports: [80]}
otlp:
  endpoint: http://file:4318
  protocol: http/json
  compression: gzip
  timeout_ms: 111
  headers: {k: file}
  batch: {max_queue_size: 300, max_export_batch_size: 30, schedule_delay_ms: 3, export_timeout_ms: 33}
)"};
  std::vector<std::string> config_args_{"--config", file_.path()};
};

TEST_F(Precedence, FileAloneApplies) {
  const AgentConfig c = ParsedWith(config_args_);
  EXPECT_EQ(c.otlp.endpoint, "http://file:4318/v1/traces");
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpJson);
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kGzip);
  EXPECT_EQ(c.service_name, "from-file");
  EXPECT_EQ(c.otlp.batch.max_queue_size, 300u);
  EXPECT_EQ(c.output, OutputKind::kOtlp);
}

TEST_F(Precedence, EnvironmentBeatsFile) {
  const AgentConfig c = ParsedWith(config_args_, {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"},
                                                  {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                                                  {"OTEL_EXPORTER_OTLP_COMPRESSION", "none"},
                                                  {"OTEL_EXPORTER_OTLP_TIMEOUT", "222"},
                                                  {"OTEL_EXPORTER_OTLP_HEADERS", "k=env"},
                                                  {"OTEL_SERVICE_NAME", "from-env"},
                                                  {"OTEL_BSP_MAX_QUEUE_SIZE", "400"},
                                                  {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "40"},
                                                  {"OTEL_BSP_SCHEDULE_DELAY", "4"},
                                                  {"OTEL_BSP_EXPORT_TIMEOUT", "44"}});
  EXPECT_EQ(c.otlp.endpoint, "http://env:4318/v1/traces");
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kNone);
  EXPECT_EQ(c.otlp.timeout, milliseconds(222));
  ASSERT_EQ(c.otlp.headers.size(), 1u);
  EXPECT_EQ(c.otlp.headers[0].value, "env");
  EXPECT_EQ(c.service_name, "from-env");
  EXPECT_EQ(c.otlp.batch.max_queue_size, 400u);
  EXPECT_EQ(c.otlp.batch.max_export_batch_size, 40u);
  EXPECT_EQ(c.otlp.batch.schedule_delay, milliseconds(4));
  EXPECT_EQ(c.otlp.batch.export_timeout, milliseconds(44));
}

TEST_F(Precedence, OneEnvironmentVariableLeavesTheFilesOtherBatchSettings) {
  const AgentConfig c = ParsedWith(config_args_, {{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "20"}});
  EXPECT_EQ(c.otlp.batch.max_queue_size, 300u);
  EXPECT_EQ(c.otlp.batch.max_export_batch_size, 20u);
  EXPECT_EQ(c.otlp.batch.schedule_delay, milliseconds(3));
}

TEST_F(Precedence, CommandLineBeatsFile) {
  std::vector<std::string> args = config_args_;
  args.insert(args.end(), {"--otlp-endpoint", "http://cli:4318", "--otlp-protocol", "http/protobuf",
                           "--otlp-compression", "none", "--service-name", "from-cli", "--pid", "7"});
  const AgentConfig c = ParsedWith(args);
  EXPECT_EQ(c.otlp.endpoint, "http://cli:4318/v1/traces");
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kNone);
  EXPECT_EQ(c.service_name, "from-cli");
  EXPECT_EQ(c.pids, (std::vector<uint32_t>{7}));  // a list from a higher source replaces
  EXPECT_EQ(c.ports, (std::vector<uint16_t>{80}));  // what the flags leave alone stays
}

TEST_F(Precedence, CommandLineBeatsEnvironment) {
  const AgentConfig c = ParsedWith(
      {"--otlp-endpoint", "http://cli:4317", "--otlp-protocol", "grpc", "--otlp-compression", "gzip",
       "--service-name", "from-cli"},
      {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://env:4318/v1/traces"},
       {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
       {"OTEL_EXPORTER_OTLP_COMPRESSION", "none"},
       {"OTEL_SERVICE_NAME", "from-env"}});
  EXPECT_EQ(c.otlp.endpoint, "http://cli:4317");  // gRPC: the base as given
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kGrpc);
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kGzip);
  EXPECT_EQ(c.service_name, "from-cli");
}

TEST_F(Precedence, ProtocolFromOneSourceShapesTheEndpointFromAnother) {
  // The file's base URL under the environment's gRPC: used as-is.
  const AgentConfig c = ParsedWith(config_args_, {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}});
  EXPECT_EQ(c.otlp.endpoint, "http://file:4318");
}

TEST_F(Precedence, ResourceAttributesMergeByKey) {
  const AgentConfig c = ParsedWith(config_args_, {{"OTEL_RESOURCE_ATTRIBUTES", "team=env-team,tier=web"}});
  const std::vector<std::pair<std::string, std::string>> expected{
      {"team", "env-team"}, {"region", "eu"}, {"tier", "web"}};
  EXPECT_EQ(c.resource_attributes, expected);
}

TEST(EndpointFlag, IsABaseUnlessItEndsInTheTracesPath) {
  EXPECT_EQ(ParsedWith({"--otlp-endpoint", "http://c:4318"}).otlp.endpoint, "http://c:4318/v1/traces");
  EXPECT_EQ(ParsedWith({"--otlp-endpoint", "http://c:4318/v1/traces"}).otlp.endpoint, "http://c:4318/v1/traces");
  EXPECT_EQ(ParsedWith({"--otlp-endpoint", "https://gw/otlp/"}).otlp.endpoint, "https://gw/otlp/v1/traces");
}

TEST(Defaults, PerProtocol) {
  EXPECT_EQ(ParsedWith({}).otlp.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(ParsedWith({"--otlp-protocol", "http/json"}).otlp.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(ParsedWith({"--otlp-protocol", "grpc"}).otlp.endpoint, "http://localhost:4317");
  EXPECT_EQ(ParsedWith({"-o", "otlp", "--otlp-protocol", "grpc"}).otlp.endpoint, "http://localhost:4317");
}

TEST(Output, ConsoleUnlessAnEndpointIsConfigured) {
  EXPECT_EQ(ParsedWith({}).output, OutputKind::kConsole);
  EXPECT_EQ(ParsedWith({"--otlp-endpoint", "http://c:4318"}).output, OutputKind::kOtlp);
  EXPECT_EQ(ParsedWith({}, {{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces"}}).output,
            OutputKind::kOtlp);
  // An explicit output wins over the implication.
  EXPECT_EQ(ParsedWith({"-o", "console"}, {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}}).output,
            OutputKind::kConsole);
}

TEST(Output, FileOutputsAgainstCommandLine) {
  TempFile json_file("output_file: /tmp/from-file.jsonl\n");
  // The command line's output overrides the file's implied json, and its file.
  AgentConfig c = ParsedWith({"--config", json_file.path(), "-o", "console"});
  EXPECT_EQ(c.output, OutputKind::kConsole);
  EXPECT_EQ(c.output_file, "");

  TempFile otlp_file("output: otlp\n");
  c = ParsedWith({"--config", otlp_file.path(), "--output-file", "/tmp/cli.jsonl"});
  EXPECT_EQ(c.output, OutputKind::kJson);
  EXPECT_EQ(c.output_file, "/tmp/cli.jsonl");

  c = ParsedWith({"--config", json_file.path()});
  EXPECT_EQ(c.output, OutputKind::kJson);
  EXPECT_EQ(c.output_file, "/tmp/from-file.jsonl");
}

}  // namespace
}  // namespace zerotrace
