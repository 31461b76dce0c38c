#include "exporter/otlp/grpc/grpc_export_outcome.h"

#include <fmt/format.h>

#include <algorithm>

#include "exporter/otlp/grpc/grpc_retry_info.h"

namespace zerotrace::otlp {

std::string_view GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "status code out of range";
  }
}

bool IsRetryableGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

SendOutcome OutcomeOfExport(
    const grpc::Status& status,
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse& response) {
  if (status.ok()) {
    SendOutcome outcome = SendOutcome::Delivered();
    if (response.has_partial_success()) {
      outcome.rejected_spans = static_cast<uint64_t>(std::max<int64_t>(response.partial_success().rejected_spans(), 0));
      outcome.rejection_message = response.partial_success().error_message();
    }
    return outcome;
  }
  std::string error = fmt::format("gRPC {}: {}", GrpcCodeName(status.error_code()), status.error_message());
  if (IsRetryableGrpcCode(status.error_code()))
    return SendOutcome::Retryable(std::move(error), RetryDelayFromStatusDetails(status.error_details()));
  return SendOutcome::Permanent(std::move(error));
}

}  // namespace zerotrace::otlp
