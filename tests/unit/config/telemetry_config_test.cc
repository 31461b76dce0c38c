// The telemetry endpoints' settings: --telemetry-address and the file's
// telemetry section, "off", bad addresses, and how the two sources stack.
#include <gtest/gtest.h>

#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::ExpectConfigError;
using testing::Parse;
using testing::TempFile;

TEST(TelemetryConfig, OnByDefaultOnLoopbackPort9400) {
  auto outcome = Parse({});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  const TelemetryConfig& t = outcome.config.telemetry;
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.address, (ListenAddress{"127.0.0.1", 9400}));
  EXPECT_FALSE(t.address_given);
}

TEST(TelemetryConfig, FlagSetsTheAddress) {
  struct Case {
    const char* flag;
    ListenAddress address;
  };
  for (const Case& c : {Case{"0.0.0.0:9500", {"0.0.0.0", 9500}},
                        Case{"127.0.0.1:1", {"127.0.0.1", 1}},
                        Case{"localhost:65535", {"localhost", 65535}},
                        Case{"node-1.example.com:9400", {"node-1.example.com", 9400}},
                        Case{"[::1]:9401", {"::1", 9401}},
                        Case{"[::]:9402", {"::", 9402}},
                        Case{" 10.1.2.3:80 ", {"10.1.2.3", 80}}}) {
    auto outcome = Parse({"--telemetry-address", c.flag});
    ASSERT_FALSE(outcome.exit_code) << c.flag << ": " << outcome.error_output;
    EXPECT_TRUE(outcome.config.telemetry.enabled) << c.flag;
    EXPECT_EQ(outcome.config.telemetry.address, c.address) << c.flag;
    EXPECT_TRUE(outcome.config.telemetry.address_given) << c.flag;
  }
}

TEST(TelemetryConfig, FlagOffTurnsTheEndpointsOff) {
  for (const char* off : {"off", "OFF", "Off"}) {
    auto outcome = Parse({"--telemetry-address", off});
    ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
    EXPECT_FALSE(outcome.config.telemetry.enabled) << off;
  }
}

TEST(TelemetryConfig, BadFlagValuesAreOneLineErrors) {
  for (const char* bad : {"9400", "127.0.0.1", "127.0.0.1:", ":9400", "127.0.0.1:0", "127.0.0.1:65536",
                          "127.0.0.1:http", "127.0.0.1:-1", "127.0.0.300:9400", "::1:9400", "[::1]9400",
                          "[::1]", "[not-an-ip]:9400", "host name:9400", "-host:9400", "", "no"}) {
    SCOPED_TRACE(bad);
    ExpectConfigError(Parse({"--telemetry-address", bad}),
                      {"--telemetry-address", std::string("\"") + bad + "\"", "HOST:PORT", "off"});
  }
}

TEST(TelemetryConfig, FileSection) {
  TempFile address("telemetry:\n  address: \"0.0.0.0:9600\"\n");
  auto outcome = Parse({"--config", address.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_TRUE(outcome.config.telemetry.enabled);
  EXPECT_EQ(outcome.config.telemetry.address, (ListenAddress{"0.0.0.0", 9600}));
  EXPECT_TRUE(outcome.config.telemetry.address_given);

  TempFile disabled("telemetry:\n  enabled: false\n");
  outcome = Parse({"--config", disabled.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_FALSE(outcome.config.telemetry.enabled);

  TempFile address_off("telemetry: {address: off}\n");
  outcome = Parse({"--config", address_off.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_FALSE(outcome.config.telemetry.enabled);

  TempFile enabled_false_wins("telemetry: {address: \"127.0.0.1:9700\", enabled: false}\n");
  outcome = Parse({"--config", enabled_false_wins.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_FALSE(outcome.config.telemetry.enabled);

  TempFile enabled_only("telemetry: {enabled: true}\n");
  outcome = Parse({"--config", enabled_only.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_TRUE(outcome.config.telemetry.enabled);
  EXPECT_EQ(outcome.config.telemetry.address, (ListenAddress{"127.0.0.1", 9400}));
  EXPECT_FALSE(outcome.config.telemetry.address_given);
}

TEST(TelemetryConfig, FileErrorsNameTheKeyAndLine) {
  TempFile bad_address("verbose: false\ntelemetry:\n  address: \"127.0.0.1:99999\"\n");
  ExpectConfigError(Parse({"--config", bad_address.path()}),
                    {bad_address.path(), ":3", "telemetry.address", "HOST:PORT", "99999"});
  TempFile unknown_key("telemetry:\n  port: 9400\n");
  ExpectConfigError(Parse({"--config", unknown_key.path()}), {"telemetry.port"});
  TempFile bad_enabled("telemetry:\n  enabled: maybe\n");
  ExpectConfigError(Parse({"--config", bad_enabled.path()}), {"telemetry.enabled", "maybe"});
  TempFile not_a_section("telemetry: 127.0.0.1:9400\n");
  ExpectConfigError(Parse({"--config", not_a_section.path()}), {"telemetry"});
}

TEST(TelemetryConfig, FlagWinsOverTheFile) {
  TempFile disabled("telemetry: {enabled: false, address: \"127.0.0.1:9700\"}\n");
  auto outcome = Parse({"--config", disabled.path(), "--telemetry-address", "127.0.0.1:9800"});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_TRUE(outcome.config.telemetry.enabled) << "an address on the command line turns them on";
  EXPECT_EQ(outcome.config.telemetry.address, (ListenAddress{"127.0.0.1", 9800}));

  TempFile address("telemetry: {address: \"127.0.0.1:9700\"}\n");
  outcome = Parse({"--config", address.path(), "--telemetry-address", "off"});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_FALSE(outcome.config.telemetry.enabled);

  outcome = Parse({"--config", address.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.telemetry.address, (ListenAddress{"127.0.0.1", 9700}));
  EXPECT_TRUE(outcome.config.telemetry.address_given);
}

TEST(TelemetryConfig, HelpListsTheFlag) {
  ::testing::internal::CaptureStdout();
  auto help = Parse({"--help"});
  const std::string text = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(text.find("--telemetry-address"), std::string::npos) << text;
}

}  // namespace
}  // namespace zerotrace
