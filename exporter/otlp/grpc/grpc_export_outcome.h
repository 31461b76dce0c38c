// What one OTLP/gRPC Export call's status means for the retrying exporter,
// by the OTLP specification's table of retryable gRPC codes.
#pragma once

#include <grpcpp/support/status.h>

#include <string_view>

#include "exporter/otlp/otlp_transport.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace zerotrace::otlp {

// "UNAVAILABLE", "INVALID_ARGUMENT", ...
std::string_view GrpcCodeName(grpc::StatusCode code);

// CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, OUT_OF_RANGE,
// UNAVAILABLE and DATA_LOSS: the receiver (or the way to it) may do better
// later. Everything else will fail the same way again.
bool IsRetryableGrpcCode(grpc::StatusCode code);

// OK is delivered, with the response's partial success (if any) copied
// over; a retryable code carries the RetryInfo delay the receiver sent (if
// any). Errors read "gRPC UNAVAILABLE: <message>".
SendOutcome OutcomeOfExport(
    const grpc::Status& status,
    const opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse& response);

}  // namespace zerotrace::otlp
