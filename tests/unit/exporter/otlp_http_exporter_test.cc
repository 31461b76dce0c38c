// OTLP/HTTP export against a real socket: a loopback server stands in for
// the collector.
#include "exporter/otlp/otlp_http_exporter.h"

#include <gtest/gtest.h>

#include "exporter/otlp/batch_span_processor.h"
#include "tests/unit/exporter/loopback_http_server.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;
using namespace zerotrace::testing;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

std::vector<Span> ThreeSpans() {
  const auto resource = MakeResource(42, "python3");
  return {MakeHttpSpan(1, 1, resource, "a"), MakeHttpSpan(1, 2, resource, "b"), MakeHttpSpan(1, 3, resource, "c")};
}

BatchOptions FastOptions(std::chrono::milliseconds timeout = 2000ms) {
  BatchOptions options;
  options.schedule_delay = 3600s;  // only full batches or shutdown export
  options.export_timeout = timeout;
  return options;
}

TEST(OtlpHttpExporter, PostsProtobufToTheTracesUrl) {
  LoopbackHttpServer server;
  BatchSpanProcessor processor(std::make_unique<OtlpHttpExporter>(server.Url("/v1/traces")), FastOptions());
  for (Span& span : ThreeSpans()) processor.Consume(std::move(span));
  processor.Shutdown();

  ASSERT_TRUE(server.WaitForRequests(1, 5s));
  const RecordedRequest request = server.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1/traces");
  EXPECT_EQ(request.headers.at("content-type"), "application/x-protobuf");
  EXPECT_EQ(request.headers.count("expect"), 0u);
  ExportTraceServiceRequest decoded;
  ASSERT_TRUE(decoded.ParseFromString(request.body));
  ASSERT_EQ(decoded.resource_spans_size(), 1);
  ASSERT_EQ(decoded.resource_spans(0).scope_spans(0).spans_size(), 3);
  EXPECT_EQ(decoded.resource_spans(0).scope_spans(0).spans(2).name(), "c");
  EXPECT_EQ(processor.stats().exported.load(), 3u);
  EXPECT_EQ(processor.stats().failed.load(), 0u);
}

TEST(OtlpHttpExporter, ReusesOneConnectionAcrossExports) {
  LoopbackHttpServer server;
  OtlpHttpExporter exporter(server.Url("/v1/traces"));
  const auto spans = ThreeSpans();
  EXPECT_EQ(exporter.Export(spans, 2s).failed_spans, 0u);
  EXPECT_EQ(exporter.Export(spans, 2s).failed_spans, 0u);
  ASSERT_TRUE(server.WaitForRequests(2, 5s));
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(OtlpHttpExporter, SendsConfiguredHeaders) {
  LoopbackHttpServer server;
  OtlpHttpExporter exporter(server.Url("/v1/traces"), {{"api-key", "secret"}});
  exporter.Export(ThreeSpans(), 2s);
  ASSERT_TRUE(server.WaitForRequests(1, 5s));
  EXPECT_EQ(server.requests()[0].headers.at("api-key"), "secret");
}

TEST(OtlpHttpExporter, PartialSuccessCountsRejectedSpansAsFailed) {
  ExportTraceServiceResponse response;
  response.mutable_partial_success()->set_rejected_spans(2);
  response.mutable_partial_success()->set_error_message("span too large");
  LoopbackHttpServer server({200, response.SerializeAsString()});
  OtlpHttpExporter exporter(server.Url("/v1/traces"));
  EXPECT_EQ(exporter.Export(ThreeSpans(), 2s).failed_spans, 2u);
}

TEST(OtlpHttpExporter, HttpErrorStatusFailsTheWholeBatch) {
  LoopbackHttpServer server({503, "overloaded"});
  OtlpHttpExporter exporter(server.Url("/v1/traces"));
  EXPECT_EQ(exporter.Export(ThreeSpans(), 2s).failed_spans, 3u);
}

TEST(OtlpHttpExporter, DownEndpointCountsFailuresAndDoesNotHang) {
  const std::string url = "http://127.0.0.1:" + std::to_string(UnusedLoopbackPort()) + "/v1/traces";
  BatchOptions options = FastOptions(1000ms);
  options.max_export_batch_size = 2;
  BatchSpanProcessor processor(std::make_unique<OtlpHttpExporter>(url), options);
  for (int round = 0; round < 3; ++round)
    for (Span& span : ThreeSpans()) processor.Consume(std::move(span));
  const auto start = std::chrono::steady_clock::now();
  processor.Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // bounded by the 1 s timeout, not a hang
  const ExporterCounts counts = processor.stats().Snapshot();
  EXPECT_EQ(counts.exported, 0u);
  EXPECT_EQ(counts.failed + counts.dropped, 9u);
  EXPECT_GT(counts.failed, 0u);
}

TEST(OtlpHttpExporter, UnresponsiveEndpointIsAbandonedAtTheExportTimeout) {
  LoopbackHttpServer server({200, "", /*respond=*/false});
  BatchSpanProcessor processor(std::make_unique<OtlpHttpExporter>(server.Url("/v1/traces")),
                               FastOptions(300ms));
  for (Span& span : ThreeSpans()) processor.Consume(std::move(span));
  const auto start = std::chrono::steady_clock::now();
  processor.Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(processor.stats().failed.load(), 3u);
  EXPECT_TRUE(server.WaitForRequests(1, 5s));  // it did arrive; the answer never came
}

}  // namespace
}  // namespace zerotrace::otlp
