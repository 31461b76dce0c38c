// The example configuration shipped in deploy/config/ must stay valid: users
// copy it, and a key renamed in the code but not in the example would stop
// their agent at start-up.
#include <gtest/gtest.h>

#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::Parse;

TEST(ShippedConfig, ExampleFileParsesToWhatItSays) {
  const auto outcome = Parse({"--config", ZT_EXAMPLE_CONFIG});
  ASSERT_FALSE(outcome.exit_code.has_value()) << outcome.error_output;
  const AgentConfig& c = outcome.config;
  EXPECT_EQ(c.output, OutputKind::kOtlp);
  EXPECT_EQ(c.stats_interval_s, 60);
  EXPECT_EQ(c.otlp.protocol, otlp::OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(c.otlp.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(c.otlp.compression, otlp::OtlpCompression::kGzip);
  EXPECT_EQ(c.otlp.batch.max_queue_size, 2048u);
  ASSERT_EQ(c.resource_attributes.size(), 1u);
  EXPECT_EQ(c.resource_attributes[0].first, "deployment.environment");
  EXPECT_TRUE(c.telemetry.enabled);
  EXPECT_EQ(c.telemetry.address, (ListenAddress{"127.0.0.1", 9400}));
  EXPECT_FALSE(c.telemetry.address_given) << "the example keeps the best-effort default";
}

TEST(ShippedConfig, EnvironmentStillWinsOverTheExample) {
  const auto outcome = Parse({"--config", ZT_EXAMPLE_CONFIG},
                             {{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                              {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"}});
  ASSERT_FALSE(outcome.exit_code.has_value()) << outcome.error_output;
  EXPECT_EQ(outcome.config.otlp.protocol, otlp::OtlpProtocol::kGrpc);
  EXPECT_EQ(outcome.config.otlp.endpoint, "http://collector:4317");
}

}  // namespace
}  // namespace zerotrace
