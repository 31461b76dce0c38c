// The google.rpc.RetryInfo a gRPC receiver may attach to a failed call (in
// the status details, "grpc-status-details-bin") to say how long to back
// off: the gRPC counterpart of HTTP's Retry-After.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace zerotrace::otlp {

// `status_details` is grpc::Status::error_details(): a serialized
// google.rpc.Status. Returns the retry_delay of the first RetryInfo among
// its details, capped at one hour; nullopt when there is none, it is
// negative, or the bytes do not parse. Decoded from the wire format
// directly, so the google.rpc protos need not be compiled in.
std::optional<std::chrono::milliseconds> RetryDelayFromStatusDetails(const std::string& status_details);

}  // namespace zerotrace::otlp
