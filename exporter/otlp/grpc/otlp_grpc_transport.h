// OTLP/gRPC: each batch goes out as one TraceService/Export call over a
// channel kept for the transport's life (gRPC reconnects it by itself).
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "exporter/otlp/otlp_encoder.h"
#include "exporter/otlp/otlp_settings.h"
#include "exporter/otlp/otlp_transport.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace zerotrace::otlp {

class OtlpGrpcTransport final : public OtlpTransport {
 public:
  // Reads settings.endpoint, insecure, certificate_file, headers and
  // compression. Throws std::runtime_error when certificate_file is set but
  // unreadable. Connecting is lazy: no receiver need be up yet.
  explicit OtlpGrpcTransport(const OtlpSettings& settings);

  void Prepare(std::span<const Span> batch) override;
  SendOutcome Send(std::chrono::milliseconds timeout) override;
  std::string Describe() const override;

 private:
  std::string endpoint_;  // as configured, for log lines
  std::vector<HttpHeader> metadata_;
  bool gzip_ = false;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<opentelemetry::proto::collector::trace::v1::TraceService::Stub> stub_;
  // Kept across batches: Clear() keeps their allocations.
  ExportTraceServiceRequest request_;
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response_;
};

}  // namespace zerotrace::otlp
