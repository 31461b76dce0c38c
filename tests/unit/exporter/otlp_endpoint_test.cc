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
