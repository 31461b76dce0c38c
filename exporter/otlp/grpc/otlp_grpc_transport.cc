#include "exporter/otlp/grpc/otlp_grpc_transport.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/support/channel_arguments.h>
#include <spdlog/spdlog.h>

#include "agent/model/self_traffic.h"
#include "exporter/otlp/grpc/grpc_channel_credentials.h"
#include "exporter/otlp/grpc/grpc_export_outcome.h"
#include "exporter/otlp/grpc/grpc_log_bridge.h"
#include "exporter/otlp/grpc/grpc_metadata.h"
#include "exporter/otlp/grpc/grpc_target.h"

namespace zerotrace::otlp {

namespace {

// gRPC backs off reconnecting up to 2 minutes by default, failing calls fast
// meanwhile; the retrying exporter has its own backoff, so a receiver that
// comes back should be found within seconds.
constexpr int kMaxReconnectBackoffMs = 5000;

grpc::ChannelArguments ChannelArgumentsForExport() {
  grpc::ChannelArguments args;
  // Sets GRPC_ARG_PRIMARY_USER_AGENT_STRING to "zerotrace/<version>
  // grpc-c++/1.51.1"; gRPC core then appends " grpc-c/... (linux; chttp2)".
  // Our user agent must come first: IsSelfTraffic() matches the prefix.
  args.SetUserAgentPrefix(std::string(kSelfUserAgentPrefix) + ZEROTRACE_VERSION);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, kMaxReconnectBackoffMs);
  return args;
}

}  // namespace

OtlpGrpcTransport::OtlpGrpcTransport(const OtlpSettings& settings)
    : endpoint_(settings.endpoint.empty() ? std::string(kDefaultGrpcEndpoint) : settings.endpoint),
      metadata_(ToGrpcMetadata(settings.headers)),
      gzip_(settings.compression == OtlpCompression::kGzip) {
  RouteGrpcLogsToSpdlog();
  const GrpcTarget target = ParseGrpcEndpoint(endpoint_, settings.insecure);
  channel_ = grpc::CreateCustomChannel(target.target,
                                       MakeChannelCredentials(target.use_tls, settings.certificate_file),
                                       ChannelArgumentsForExport());
  stub_ = opentelemetry::proto::collector::trace::v1::TraceService::NewStub(channel_);
  spdlog::debug("OTLP/gRPC exporter: target {} ({}{}, {} metadata entries)", target.target,
                target.use_tls ? "TLS" : "plaintext", gzip_ ? ", gzip" : "", metadata_.size());
}

void OtlpGrpcTransport::Prepare(std::span<const Span> batch) { EncodeExportRequest(batch, &request_); }

SendOutcome OtlpGrpcTransport::Send(std::chrono::milliseconds timeout) {
  grpc::ClientContext context;  // one per call, by gRPC's rules
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  if (gzip_) context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  for (const HttpHeader& entry : metadata_) context.AddMetadata(entry.name, entry.value);
  response_.Clear();
  const grpc::Status status = stub_->Export(&context, request_, &response_);
  return OutcomeOfExport(status, response_);
}

std::string OtlpGrpcTransport::Describe() const { return "OTLP/gRPC to " + endpoint_; }

}  // namespace zerotrace::otlp
