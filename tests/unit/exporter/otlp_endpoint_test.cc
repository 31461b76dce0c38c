#include "exporter/otlp/otlp_endpoint.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "exporter/otlp/batch_options.h"
#include "exporter/span_sink_factory.h"

namespace zerotrace::otlp {
namespace {

TEST(OtlpTracesUrl, TracesEndpointIsUsedAsIs) {
  EXPECT_EQ(ResolveTracesUrl("http://collector:4318/custom/path", "http://other:4318"),
            "http://collector:4318/custom/path");
  EXPECT_EQ(ResolveTracesUrl("http://collector:4318", ""), "http://collector:4318");
}

TEST(OtlpTracesUrl, GenericEndpointGetsV1TracesAppended) {
  EXPECT_EQ(ResolveTracesUrl("", "http://collector:4318"), "http://collector:4318/v1/traces");
  EXPECT_EQ(ResolveTracesUrl("", "http://collector:4318/"), "http://collector:4318/v1/traces");
  EXPECT_EQ(ResolveTracesUrl("", "https://gw.example.com/otlp"), "https://gw.example.com/otlp/v1/traces");
  EXPECT_EQ(ResolveTracesUrl("", "https://gw.example.com/otlp/"), "https://gw.example.com/otlp/v1/traces");
}

TEST(OtlpTracesUrl, NothingSetMeansNoUrl) {
  EXPECT_EQ(ResolveTracesUrl("", ""), "");
  EXPECT_EQ(ResolveTracesUrl("  ", " \t"), "");
}

TEST(OtlpTracesUrl, SurroundingWhitespaceIsIgnored) {
  EXPECT_EQ(ResolveTracesUrl(" http://c:4318/v1/traces\n", ""), "http://c:4318/v1/traces");
  EXPECT_EQ(ResolveTracesUrl("", " http://c:4318 "), "http://c:4318/v1/traces");
}

class EnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* name :
         {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
          "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
          "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT"})
      unsetenv(name);
  }
};

TEST_F(EnvironmentTest, UrlFromEnvironmentFollowsTheSameRules) {
  EXPECT_EQ(OtlpTracesUrlFromEnvironment(), "");
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318/", 1);
  EXPECT_EQ(OtlpTracesUrlFromEnvironment(), "http://localhost:4318/v1/traces");
  setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://localhost:9999/traces", 1);
  EXPECT_EQ(OtlpTracesUrlFromEnvironment(), "http://localhost:9999/traces");
  setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "", 1);  // empty counts as unset
  EXPECT_EQ(OtlpTracesUrlFromEnvironment(), "http://localhost:4318/v1/traces");
}

TEST(OtlpHeaders, ParsesCommaSeparatedPercentEncodedPairs) {
  const auto headers = ParseHeaderList("api-key=abc123, x-tenant = team%20a ,broken,=novalue,auth=Basic%20eDp5");
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].name, "api-key");
  EXPECT_EQ(headers[0].value, "abc123");
  EXPECT_EQ(headers[1].name, "x-tenant");
  EXPECT_EQ(headers[1].value, "team a");
  EXPECT_EQ(headers[2].name, "auth");
  EXPECT_EQ(headers[2].value, "Basic eDp5");
}

TEST(OtlpHeaders, ValueThatWouldInjectAHeaderLineIsRefused) {
  EXPECT_TRUE(ParseHeaderList("a=b%0D%0AX-Evil: 1").empty());
}

TEST_F(EnvironmentTest, TracesHeadersWinOverGenericHeaders) {
  setenv("OTEL_EXPORTER_OTLP_HEADERS", "k=generic", 1);
  ASSERT_EQ(HeadersFromEnvironment().size(), 1u);
  EXPECT_EQ(HeadersFromEnvironment()[0].value, "generic");
  setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "k=traces", 1);
  EXPECT_EQ(HeadersFromEnvironment()[0].value, "traces");
}

TEST_F(EnvironmentTest, BatchOptionsDefaultToTheSpecValues) {
  const BatchOptions options = BatchOptionsFromEnvironment();
  EXPECT_EQ(options.max_queue_size, 2048u);
  EXPECT_EQ(options.max_export_batch_size, 512u);
  EXPECT_EQ(options.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(options.export_timeout, std::chrono::milliseconds(30000));
}

TEST_F(EnvironmentTest, BatchOptionsReadTheBspVariables) {
  setenv("OTEL_BSP_MAX_QUEUE_SIZE", "100", 1);
  setenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10", 1);
  setenv("OTEL_BSP_SCHEDULE_DELAY", "250", 1);
  setenv("OTEL_BSP_EXPORT_TIMEOUT", "1000", 1);
  const BatchOptions options = BatchOptionsFromEnvironment();
  EXPECT_EQ(options.max_queue_size, 100u);
  EXPECT_EQ(options.max_export_batch_size, 10u);
  EXPECT_EQ(options.schedule_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(options.export_timeout, std::chrono::milliseconds(1000));
}

TEST_F(EnvironmentTest, InvalidBspValuesKeepTheDefaults) {
  setenv("OTEL_BSP_MAX_QUEUE_SIZE", "lots", 1);
  setenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "-5", 1);
  setenv("OTEL_BSP_SCHEDULE_DELAY", "0", 1);
  setenv("OTEL_BSP_EXPORT_TIMEOUT", "10s", 1);
  const BatchOptions options = BatchOptionsFromEnvironment();
  EXPECT_EQ(options.max_queue_size, 2048u);
  EXPECT_EQ(options.max_export_batch_size, 512u);
  EXPECT_EQ(options.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(options.export_timeout, std::chrono::milliseconds(30000));
}

TEST(BatchOptionsNormalized, BatchIsNeverLargerThanTheQueue) {
  BatchOptions options;
  options.max_queue_size = 100;
  options.max_export_batch_size = 512;
  EXPECT_EQ(Normalized(options).max_export_batch_size, 100u);
  options.max_queue_size = 0;
  options.max_export_batch_size = 0;
  EXPECT_EQ(Normalized(options).max_queue_size, 1u);
  EXPECT_EQ(Normalized(options).max_export_batch_size, 1u);
}

}  // namespace
}  // namespace zerotrace::otlp
