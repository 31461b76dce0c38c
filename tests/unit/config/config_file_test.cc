// The --config YAML file: every key of the schema, and every way it can be wrong.
#include <gtest/gtest.h>

#include "agent/config/config_file.h"
#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::ExpectConfigError;
using testing::Parse;
using testing::TempFile;
using std::chrono::milliseconds;

TEST(ConfigFile, FullFileSetsEveryField) {
  TempFile ca("-----BEGIN CERTIFICATE-----\n", ".pem");
  TempFile file(R"(
output: json
output_file: /tmp/spans.jsonl
stats_interval: 2.5
verbose: true
keep_query_values: true
ring_buffer_mb: 16
ring_buffer_wakeup_kb: 64
select:
  pids: [1234, 5678]
  ports: [8080, 443]
  exe: "nginx|python"
service_name: checkout
resource_attributes:
  deployment.environment: prod
  team: payments
sdk_disabled: true
otlp:
  endpoint: http://collector:4318
  protocol: http/json
  headers: {api-key: secret, X-Tenant: a}
  compression: gzip
  timeout_ms: 1500
  certificate: )" + ca.path() + R"(
  insecure: true
  batch:
    max_queue_size: 4096
    max_export_batch_size: 256
    schedule_delay_ms: 250
    export_timeout_ms: 9000
)");
  auto outcome = Parse({"--config", file.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  const AgentConfig& c = outcome.config;
  EXPECT_EQ(c.config_file, file.path());
  EXPECT_EQ(c.output, OutputKind::kJson);
  EXPECT_EQ(c.output_file, "/tmp/spans.jsonl");
  EXPECT_DOUBLE_EQ(c.stats_interval_s, 2.5);
  EXPECT_TRUE(c.verbose);
  EXPECT_TRUE(c.keep_query_values);
  EXPECT_EQ(c.ring_buffer_mb, 16u);
  EXPECT_EQ(c.ring_buffer_wakeup_kb, 64u);
  EXPECT_EQ(c.pids, (std::vector<uint32_t>{1234, 5678}));
  EXPECT_EQ(c.ports, (std::vector<uint16_t>{8080, 443}));
  EXPECT_EQ(c.exe_regex, "nginx|python");
  EXPECT_EQ(c.service_name, "checkout");
  ASSERT_EQ(c.resource_attributes.size(), 2u);
  EXPECT_EQ(c.resource_attributes[0], (std::pair<std::string, std::string>{"deployment.environment", "prod"}));
  EXPECT_EQ(c.resource_attributes[1], (std::pair<std::string, std::string>{"team", "payments"}));
  EXPECT_TRUE(c.sdk_disabled);
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpJson);
  EXPECT_EQ(c.otlp.endpoint, "http://collector:4318/v1/traces");
  ASSERT_EQ(c.otlp.headers.size(), 2u);
  EXPECT_EQ(c.otlp.headers[0].name, "api-key");
  EXPECT_EQ(c.otlp.headers[0].value, "secret");
  EXPECT_EQ(c.otlp.headers[1].name, "X-Tenant");  // HTTP keeps the case
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kGzip);
  EXPECT_EQ(c.otlp.timeout, milliseconds(1500));
  EXPECT_EQ(c.otlp.certificate_file, ca.path());
  EXPECT_TRUE(c.otlp.insecure);
  EXPECT_EQ(c.otlp.batch.max_queue_size, 4096u);
  EXPECT_EQ(c.otlp.batch.max_export_batch_size, 256u);
  EXPECT_EQ(c.otlp.batch.schedule_delay, milliseconds(250));
  EXPECT_EQ(c.otlp.batch.export_timeout, milliseconds(9000));
}

TEST(ConfigFile, TracesEndpointBeatsEndpointWithinTheFile) {
  TempFile file("otlp:\n  endpoint: http://base:4318\n  traces_endpoint: http://full:4318/custom\n");
  auto outcome = Parse({"--config", file.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.otlp.endpoint, "http://full:4318/custom");
  EXPECT_EQ(outcome.config.output, OutputKind::kOtlp);
}

TEST(ConfigFile, EmptyFileAndNullValuesSetNothing) {
  TempFile empty("");
  auto outcome = Parse({"--config", empty.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.output, OutputKind::kConsole);

  TempFile nulls("output:\nservice_name: ~\notlp:\n");
  outcome = Parse({"--config", nulls.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.output, OutputKind::kConsole);
  EXPECT_EQ(outcome.config.service_name, "");
}

TEST(ConfigFile, HeadersMayUseTheEnvironmentListForm) {
  TempFile file("otlp:\n  headers: \"api-key=abc,x-team=a%20b\"\n");
  auto outcome = Parse({"--config", file.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  ASSERT_EQ(outcome.config.otlp.headers.size(), 2u);
  EXPECT_EQ(outcome.config.otlp.headers[1].value, "a b");
}

TEST(ConfigFileErrors, UnknownTopLevelKey) {
  TempFile file("outptu: json\n");
  ExpectConfigError(Parse({"--config", file.path()}), {file.path(), "unknown key \"outptu\""});
}

TEST(ConfigFileErrors, UnknownNestedKeysNameTheirPath) {
  TempFile otlp("otlp:\n  endpiont: http://c:4318\n");
  ExpectConfigError(Parse({"--config", otlp.path()}), {"unknown key \"otlp.endpiont\""});
  TempFile batch("otlp:\n  batch:\n    max_queue: 5\n");
  ExpectConfigError(Parse({"--config", batch.path()}), {"unknown key \"otlp.batch.max_queue\""});
  TempFile select("select:\n  pid: [1]\n");
  ExpectConfigError(Parse({"--config", select.path()}), {"unknown key \"select.pid\""});
}

TEST(ConfigFileErrors, WrongTypesNameKeyAndLine) {
  TempFile list_for_string("verbose: true\nservice_name: [a, b]\n");
  ExpectConfigError(Parse({"--config", list_for_string.path()}),
                    {list_for_string.path() + ":2:", "service_name", "expected a string"});
  TempFile text_for_number("otlp:\n  timeout_ms: soon\n");
  ExpectConfigError(Parse({"--config", text_for_number.path()}), {":2:", "otlp.timeout_ms", "\"soon\""});
  TempFile not_a_bool("verbose: maybe\n");
  ExpectConfigError(Parse({"--config", not_a_bool.path()}), {":1:", "verbose", "true or false"});
  TempFile scalar_section("otlp: http://c:4318\n");
  ExpectConfigError(Parse({"--config", scalar_section.path()}), {":1:", "otlp", "a mapping"});
  TempFile pids_not_list("select:\n  pids: 12\n");
  ExpectConfigError(Parse({"--config", pids_not_list.path()}), {":2:", "select.pids", "a list"});
  TempFile top_level_list("- output\n");
  ExpectConfigError(Parse({"--config", top_level_list.path()}), {"expected a mapping"});
}

TEST(ConfigFileErrors, ValuesOutOfRangeOrUnknown) {
  TempFile ring("ring_buffer_mb: 4096\n");
  ExpectConfigError(Parse({"--config", ring.path()}), {":1:", "ring_buffer_mb", "1 to 1024"});
  TempFile wakeup("ring_buffer_wakeup_kb: 99999999\n");
  ExpectConfigError(Parse({"--config", wakeup.path()}), {":1:", "ring_buffer_wakeup_kb"});
  TempFile port("select:\n  ports: [80, 70000]\n");
  ExpectConfigError(Parse({"--config", port.path()}), {":2:", "select.ports", "\"70000\""});
  TempFile batch("otlp:\n  batch:\n    max_export_batch_size: 0\n");
  ExpectConfigError(Parse({"--config", batch.path()}), {":3:", "otlp.batch.max_export_batch_size"});
  TempFile protocol("otlp:\n  protocol: thrift\n");
  ExpectConfigError(Parse({"--config", protocol.path()}), {"otlp.protocol", "\"thrift\"", "grpc"});
  TempFile compression("otlp:\n  compression: zstd\n");
  ExpectConfigError(Parse({"--config", compression.path()}), {"otlp.compression", "\"zstd\"", "gzip"});
  TempFile output("output: xml\n");
  ExpectConfigError(Parse({"--config", output.path()}), {"output", "\"xml\""});
  TempFile stats("stats_interval: -1\n");
  ExpectConfigError(Parse({"--config", stats.path()}), {"stats_interval"});
  TempFile regex("select:\n  exe: \"([\"\n");
  ExpectConfigError(Parse({"--config", regex.path()}), {"select.exe", "regex"});
}

TEST(ConfigFileErrors, OutputFileWithAnotherOutputInTheSameFile) {
  TempFile file("output: otlp\noutput_file: /tmp/x.jsonl\n");
  ExpectConfigError(Parse({"--config", file.path()}), {"output_file"});
}

TEST(ConfigFileErrors, MissingFile) {
  ExpectConfigError(Parse({"--config", "/nonexistent/zerotrace.yaml"}),
                    {"/nonexistent/zerotrace.yaml", "cannot read"});
}

TEST(ConfigFileErrors, DirectoryInsteadOfFile) {
  ExpectConfigError(Parse({"--config", ::testing::TempDir()}), {"cannot read", "directory"});
}

TEST(ConfigFileErrors, InvalidYaml) {
  TempFile file("otlp:\n  endpoint: [unclosed\n");
  ExpectConfigError(Parse({"--config", file.path()}), {file.path(), "not valid YAML"});
}

TEST(ConfigFileErrors, LoaderReportsWithoutPrinting) {
  TempFile file("otlp:\n  insecure: 3\n");
  ConfigLayer layer;
  std::optional<ConfigError> error = LoadConfigFile(file.path(), &layer);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, file.path() + ":2: otlp.insecure: expected true or false, got \"3\"");
}

}  // namespace
}  // namespace zerotrace
