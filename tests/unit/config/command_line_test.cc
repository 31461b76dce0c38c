// The command-line flags: values, validation, --help and --version.
#include <gtest/gtest.h>

#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::ExpectConfigError;
using testing::Parse;

TEST(CommandLine, EveryFlag) {
  auto outcome = Parse({"-o", "json", "-p", "10", "--pid", "20", "--port", "8080", "--port", "443", "--exe",
                        "nginx$", "-v", "--keep-query-values", "--ring-buffer-mb", "32", "--ring-buffer-wakeup-kb", "0", "--stats-interval",
                        "1.5", "--otlp-protocol", "http/json", "--otlp-compression", "gzip", "--service-name",
                        "api"});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  const AgentConfig& c = outcome.config;
  EXPECT_EQ(c.output, OutputKind::kJson);
  EXPECT_EQ(c.pids, (std::vector<uint32_t>{10, 20}));
  EXPECT_EQ(c.ports, (std::vector<uint16_t>{8080, 443}));
  EXPECT_EQ(c.exe_regex, "nginx$");
  EXPECT_TRUE(c.verbose);
  EXPECT_TRUE(c.keep_query_values);
  EXPECT_EQ(c.ring_buffer_mb, 32u);
  EXPECT_EQ(c.ring_buffer_wakeup_kb, 0u);  // not the default (256): given
  EXPECT_DOUBLE_EQ(c.stats_interval_s, 1.5);
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpJson);
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kGzip);
  EXPECT_EQ(c.service_name, "api");
  EXPECT_EQ(c.config_file, "");
}

TEST(CommandLine, OutputFileImpliesJson) {
  auto outcome = Parse({"--output-file", "/tmp/out.jsonl"});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.output, OutputKind::kJson);
  EXPECT_EQ(outcome.config.output_file, "/tmp/out.jsonl");
}

TEST(CommandLine, HelpAndVersionExitZero) {
  ::testing::internal::CaptureStdout();
  auto help = Parse({"--help"});
  const std::string help_text = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help_text.find("--otlp-endpoint"), std::string::npos);
  EXPECT_NE(help_text.find("--config"), std::string::npos);

  ::testing::internal::CaptureStdout();
  auto version = Parse({"--version"});
  const std::string version_text = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version_text.find("zerotrace "), std::string::npos);
}

TEST(CommandLineErrors, OutputFileWithAnotherOutput) {
  ExpectConfigError(Parse({"-o", "otlp", "--output-file", "/tmp/x"}), {"--output-file"});
}

TEST(CommandLineErrors, BadValues) {
  ExpectConfigError(Parse({"--port", "0"}), {"--port"});
  ExpectConfigError(Parse({"--port", "65536"}), {"--port"});
  ExpectConfigError(Parse({"--ring-buffer-mb", "2000"}), {"--ring-buffer-mb"});
  ExpectConfigError(Parse({"--ring-buffer-wakeup-kb", "-1"}), {"--ring-buffer-wakeup-kb"});
  ExpectConfigError(Parse({"--stats-interval", "-1"}), {"--stats-interval"});
  ExpectConfigError(Parse({"-o", "xml"}), {"xml"});
  ExpectConfigError(Parse({"--otlp-protocol", "thrift"}), {"thrift"});
  ExpectConfigError(Parse({"--otlp-compression", "zstd"}), {"zstd"});
  ExpectConfigError(Parse({"--exe", "(["}), {"--exe", "regex"});
  ExpectConfigError(Parse({"--no-such-flag"}), {"--no-such-flag"});
  ExpectConfigError(Parse({"--pid", "abc"}), {"abc"});
}

}  // namespace
}  // namespace zerotrace
