// Export throughput: how many spans per second one core turns into OTLP
// bytes, and how many it gets through a transport to a receiver on loopback.
//
// Every figure is per CPU-second of the exporting thread (Google Benchmark's
// default), i.e. spans/s per core spent by the agent; the receivers run on
// other threads and are not counted. Batches are 512 spans, the OTLP batch
// span processor's default, spread over 8 processes (resources).
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "exporter/otlp/gzip.h"
#include "exporter/otlp/grpc/otlp_grpc_transport.h"
#include "exporter/otlp/otlp_encoder.h"
#include "exporter/otlp/otlp_http_transport.h"
#include "exporter/otlp/otlp_json_encoder.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "tests/unit/exporter/loopback_http_server.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;
namespace collector = opentelemetry::proto::collector::trace::v1;

constexpr size_t kBatch = 512;

std::vector<Span> Batch() {
  std::vector<std::shared_ptr<const Resource>> resources;
  for (uint32_t pid = 100; pid < 108; ++pid)
    resources.push_back(testing::MakeResource(pid, "service-" + std::to_string(pid)));
  std::vector<Span> spans;
  for (size_t i = 0; i < kBatch; ++i)
    spans.push_back(testing::MakeHttpSpan(static_cast<uint8_t>(i), static_cast<uint8_t>(i * 7),
                                          resources[(i / 16) % resources.size()]));
  return spans;
}

void ReportSpans(benchmark::State& state, size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  state.counters["bytes_per_span"] = static_cast<double>(bytes) / kBatch;
}

void BM_EncodeProtobuf(benchmark::State& state) {
  const auto spans = Batch();
  ExportTraceServiceRequest request;
  std::string body;
  for (auto _ : state) {
    EncodeExportRequest(spans, &request);
    request.SerializeToString(&body);
    benchmark::DoNotOptimize(body.data());
  }
  ReportSpans(state, body.size());
}
BENCHMARK(BM_EncodeProtobuf);

void BM_EncodeProtobufGzip(benchmark::State& state) {
  const auto spans = Batch();
  ExportTraceServiceRequest request;
  std::string body, compressed, error;
  for (auto _ : state) {
    EncodeExportRequest(spans, &request);
    request.SerializeToString(&body);
    GzipCompress(body, &compressed, &error);
    benchmark::DoNotOptimize(compressed.data());
  }
  ReportSpans(state, compressed.size());
}
BENCHMARK(BM_EncodeProtobufGzip);

void BM_EncodeJson(benchmark::State& state) {
  const auto spans = Batch();
  std::string body;
  for (auto _ : state) {
    EncodeExportRequestJson(spans, &body);
    benchmark::DoNotOptimize(body.data());
  }
  ReportSpans(state, body.size());
}
BENCHMARK(BM_EncodeJson);

void ExportOverHttp(benchmark::State& state, OtlpProtocol protocol, OtlpCompression compression) {
  testing::LoopbackHttpServer receiver;
  OtlpSettings settings;
  settings.protocol = protocol;
  settings.compression = compression;
  settings.endpoint = receiver.Url("/v1/traces");
  OtlpHttpTransport transport(settings);
  const auto spans = Batch();
  for (auto _ : state) {
    transport.Prepare(spans);
    if (transport.Send(5s).kind != SendOutcome::Kind::kDelivered) {
      state.SkipWithError("loopback receiver did not accept the batch");
      return;
    }
  }
  ReportSpans(state, 0);
}

void BM_ExportHttpProtobuf(benchmark::State& state) {
  ExportOverHttp(state, OtlpProtocol::kHttpProtobuf, OtlpCompression::kNone);
}
BENCHMARK(BM_ExportHttpProtobuf)->MinTime(2.0);

void BM_ExportHttpProtobufGzip(benchmark::State& state) {
  ExportOverHttp(state, OtlpProtocol::kHttpProtobuf, OtlpCompression::kGzip);
}
BENCHMARK(BM_ExportHttpProtobufGzip)->MinTime(2.0);

void BM_ExportHttpJson(benchmark::State& state) {
  ExportOverHttp(state, OtlpProtocol::kHttpJson, OtlpCompression::kNone);
}
BENCHMARK(BM_ExportHttpJson)->MinTime(2.0);

// A TraceService that accepts everything, on a loopback port.
class AcceptingTraceService final : public collector::TraceService::Service {
  grpc::Status Export(grpc::ServerContext*, const collector::ExportTraceServiceRequest*,
                      collector::ExportTraceServiceResponse*) override {
    return grpc::Status::OK;
  }
};

void BM_ExportGrpc(benchmark::State& state) {
  AcceptingTraceService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(64 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  OtlpSettings settings;
  settings.protocol = OtlpProtocol::kGrpc;
  settings.endpoint = "http://127.0.0.1:" + std::to_string(port);
  OtlpGrpcTransport transport(settings);
  const auto spans = Batch();
  for (auto _ : state) {
    transport.Prepare(spans);
    if (transport.Send(5s).kind != SendOutcome::Kind::kDelivered) {
      state.SkipWithError("loopback gRPC receiver did not accept the batch");
      break;
    }
  }
  ReportSpans(state, 0);
  server->Shutdown();
}
BENCHMARK(BM_ExportGrpc)->MinTime(2.0);

}  // namespace
}  // namespace zerotrace::otlp

BENCHMARK_MAIN();
