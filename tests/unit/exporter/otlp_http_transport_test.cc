// OTLP/HTTP against a real socket: a loopback server stands in for the
// collector. Checks the request on the wire and how each answer is
// classified (delivered, retryable, final).
#include "exporter/otlp/otlp_http_transport.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "exporter/otlp/batch_span_processor.h"
#include "exporter/otlp/retrying_exporter.h"
#include "tests/unit/exporter/loopback_http_server.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;
using namespace zerotrace::testing;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using Kind = SendOutcome::Kind;

std::vector<Span> ThreeSpans() {
  const auto resource = MakeResource(42, "python3");
  return {MakeHttpSpan(1, 1, resource, "a"), MakeHttpSpan(1, 2, resource, "b"), MakeHttpSpan(1, 3, resource, "c")};
}

OtlpSettings HttpSettings(const std::string& url, OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf) {
  OtlpSettings settings;
  settings.protocol = protocol;
  settings.endpoint = url;
  return settings;
}

SendOutcome SendOnce(OtlpHttpTransport& transport, std::chrono::milliseconds timeout = 2s) {
  transport.Prepare(ThreeSpans());
  return transport.Send(timeout);
}

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 32), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(OtlpHttpTransport, PostsProtobufToTheTracesUrl) {
  LoopbackHttpServer server;
  OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces")));
  EXPECT_EQ(SendOnce(transport).kind, Kind::kDelivered);

  ASSERT_TRUE(server.WaitForRequests(1, 5s));
  const RecordedRequest request = server.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1/traces");
  EXPECT_EQ(request.headers.at("content-type"), "application/x-protobuf");
  EXPECT_EQ(request.headers.count("content-encoding"), 0u);
  EXPECT_EQ(request.headers.count("expect"), 0u);
  EXPECT_EQ(request.headers.at("user-agent").rfind("zerotrace/", 0), 0u);
  ExportTraceServiceRequest decoded;
  ASSERT_TRUE(decoded.ParseFromString(request.body));
  ASSERT_EQ(decoded.resource_spans_size(), 1);
  ASSERT_EQ(decoded.resource_spans(0).scope_spans(0).spans_size(), 3);
  EXPECT_EQ(decoded.resource_spans(0).scope_spans(0).spans(2).name(), "c");
}

TEST(OtlpHttpTransport, GzipCompressesTheBodyAndSaysSo) {
  LoopbackHttpServer server;
  OtlpSettings settings = HttpSettings(server.Url("/v1/traces"));
  settings.compression = OtlpCompression::kGzip;
  OtlpHttpTransport transport(settings);
  EXPECT_EQ(SendOnce(transport).kind, Kind::kDelivered);
  ASSERT_TRUE(server.WaitForRequests(1, 5s));
  const RecordedRequest request = server.requests().at(0);
  EXPECT_EQ(request.headers.at("content-encoding"), "gzip");
  ExportTraceServiceRequest decoded;
  ASSERT_TRUE(decoded.ParseFromString(Gunzip(request.body)));
  EXPECT_EQ(decoded.resource_spans(0).scope_spans(0).spans_size(), 3);
}

TEST(OtlpHttpTransport, JsonProtocolSendsOtlpJson) {
  LoopbackHttpServer server({200, "{}", true, {}, "application/json"});
  OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces"), OtlpProtocol::kHttpJson));
  EXPECT_EQ(SendOnce(transport).kind, Kind::kDelivered);
  ASSERT_TRUE(server.WaitForRequests(1, 5s));
  const RecordedRequest request = server.requests().at(0);
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_NE(request.body.find("\"resourceSpans\""), std::string::npos) << request.body;
}

TEST(OtlpHttpTransport, ReusesOneConnectionAcrossExports) {
  LoopbackHttpServer server;
  OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces")));
  EXPECT_EQ(SendOnce(transport).kind, Kind::kDelivered);
  EXPECT_EQ(SendOnce(transport).kind, Kind::kDelivered);
  ASSERT_TRUE(server.WaitForRequests(2, 5s));
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(OtlpHttpTransport, SendsConfiguredHeaders) {
  LoopbackHttpServer server;
  OtlpSettings settings = HttpSettings(server.Url("/v1/traces"));
  settings.headers = {{"api-key", "secret"}};
  OtlpHttpTransport transport(settings);
  SendOnce(transport);
  ASSERT_TRUE(server.WaitForRequests(1, 5s));
  EXPECT_EQ(server.requests()[0].headers.at("api-key"), "secret");
}

TEST(OtlpHttpTransport, PartialSuccessInProtobufCountsRejectedSpans) {
  ExportTraceServiceResponse response;
  response.mutable_partial_success()->set_rejected_spans(2);
  response.mutable_partial_success()->set_error_message("span too large");
  LoopbackHttpServer server({200, response.SerializeAsString()});
  OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces")));
  const SendOutcome outcome = SendOnce(transport);
  EXPECT_EQ(outcome.kind, Kind::kDelivered);
  EXPECT_EQ(outcome.rejected_spans, 2u);
  EXPECT_EQ(outcome.rejection_message, "span too large");
}

TEST(OtlpHttpTransport, PartialSuccessInJsonCountsRejectedSpans) {
  LoopbackHttpServer server(
      {200, R"({"partialSuccess":{"rejectedSpans":"1","errorMessage":"no"}})", true, {}, "application/json"});
  OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces"), OtlpProtocol::kHttpJson));
  const SendOutcome outcome = SendOnce(transport);
  EXPECT_EQ(outcome.kind, Kind::kDelivered);
  EXPECT_EQ(outcome.rejected_spans, 1u);
}

TEST(OtlpHttpTransport, OverloadedStatusesAreRetryableWithTheServersDelay) {
  for (int status : {429, 502, 503, 504}) {
    LoopbackHttpServer server({status, "busy", true, {{"Retry-After", "7"}}});
    OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces")));
    const SendOutcome outcome = SendOnce(transport);
    EXPECT_EQ(outcome.kind, Kind::kRetryable) << status;
    ASSERT_TRUE(outcome.retry_after.has_value()) << status;
    EXPECT_EQ(*outcome.retry_after, 7s);
    EXPECT_EQ(outcome.error, "HTTP " + std::to_string(status) + ": busy");
  }
}

TEST(OtlpHttpTransport, BadRequestAndOtherErrorsAreFinal) {
  for (int status : {400, 401, 404, 413, 500}) {
    LoopbackHttpServer server({status, "no"});
    OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces")));
    EXPECT_EQ(SendOnce(transport).kind, Kind::kPermanent) << status;
  }
}

TEST(OtlpHttpTransport, ErrorMessageIsTakenFromAProtobufStatusBody) {
  // google.rpc.Status{code: 3, message: "span has no trace id"}, encoded by hand.
  const std::string message = "span has no trace id";
  std::string status = std::string("\x08\x03\x12", 3) + static_cast<char>(message.size()) + message;
  LoopbackHttpServer server({400, status});
  OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces")));
  const SendOutcome outcome = SendOnce(transport);
  EXPECT_EQ(outcome.kind, Kind::kPermanent);
  EXPECT_EQ(outcome.error, "HTTP 400: span has no trace id");
}

TEST(OtlpHttpTransport, RefusedConnectionIsRetryable) {
  OtlpHttpTransport transport(HttpSettings(
      "http://127.0.0.1:" + std::to_string(UnusedLoopbackPort()) + "/v1/traces"));
  const SendOutcome outcome = SendOnce(transport);
  EXPECT_EQ(outcome.kind, Kind::kRetryable);
  EXPECT_FALSE(outcome.error.empty());
}

TEST(OtlpHttpTransport, UnresponsiveEndpointTimesOutRetryably) {
  LoopbackHttpServer server({200, "", /*respond=*/false});
  OtlpHttpTransport transport(HttpSettings(server.Url("/v1/traces")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(SendOnce(transport, 300ms).kind, Kind::kRetryable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(OtlpHttpTransport, UnreadableCertificateIsAFinalError) {
  OtlpSettings settings = HttpSettings("https://127.0.0.1:1/v1/traces");
  settings.certificate_file = "/nonexistent/ca.pem";
  OtlpHttpTransport transport(settings);
  EXPECT_NE(SendOnce(transport).kind, Kind::kDelivered);
}

// The whole path: batch span processor → retrying exporter → HTTP.
TEST(OtlpHttpExport, ServiceUnavailableWithRetryAfterIsRetriedOnceThenDelivered) {
  LoopbackHttpServer server({}, {{503, "later", true, {{"Retry-After", "1"}}}});
  auto exporter = std::make_unique<RetryingExporter>(
      std::make_unique<OtlpHttpTransport>(HttpSettings(server.Url("/v1/traces"))), 2s);
  BatchOptions options;
  options.schedule_delay = 3600s;
  BatchSpanProcessor processor(std::move(exporter), options);
  for (Span& span : ThreeSpans()) processor.Consume(std::move(span));
  processor.Shutdown();

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_GE(requests[1].arrived - requests[0].arrived, 950ms);  // the server's 1 s was honoured
  EXPECT_EQ(requests[0].body, requests[1].body);                // the same batch, not re-encoded
  const ExporterCounts counts = processor.stats().Snapshot();
  EXPECT_EQ(counts.exported, 3u);
  EXPECT_EQ(counts.failed, 0u);
  EXPECT_EQ(counts.retries, 1u);
}

TEST(OtlpHttpExport, BadRequestIsNotRetried) {
  LoopbackHttpServer server({400, "malformed"});
  auto exporter = std::make_unique<RetryingExporter>(
      std::make_unique<OtlpHttpTransport>(HttpSettings(server.Url("/v1/traces"))), 2s);
  BatchOptions options;
  options.schedule_delay = 3600s;
  BatchSpanProcessor processor(std::move(exporter), options);
  for (Span& span : ThreeSpans()) processor.Consume(std::move(span));
  processor.Shutdown();
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(processor.stats().failed.load(), 3u);
  EXPECT_EQ(processor.stats().retries.load(), 0u);
}

TEST(OtlpHttpExport, DownEndpointIsGivenUpAtTheExportTimeout) {
  const std::string url = "http://127.0.0.1:" + std::to_string(UnusedLoopbackPort()) + "/v1/traces";
  BatchOptions options;
  options.schedule_delay = 3600s;
  options.export_timeout = 1500ms;
  options.max_export_batch_size = 2;
  BatchSpanProcessor processor(
      std::make_unique<RetryingExporter>(std::make_unique<OtlpHttpTransport>(HttpSettings(url)), 1s),
      options);
  for (int round = 0; round < 3; ++round)
    for (Span& span : ThreeSpans()) processor.Consume(std::move(span));
  const auto start = std::chrono::steady_clock::now();
  processor.Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);  // bounded by the export timeout
  const ExporterCounts counts = processor.stats().Snapshot();
  EXPECT_EQ(counts.exported, 0u);
  EXPECT_EQ(counts.failed + counts.dropped, 9u);
  EXPECT_GT(counts.failed, 0u);
}

}  // namespace
}  // namespace zerotrace::otlp
