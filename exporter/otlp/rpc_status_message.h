// The message of a google.rpc.Status, which OTLP/HTTP receivers send as the
// body of an error response (protobuf-encoded for protobuf requests), so a
// log line can say "HTTP 400: span has no trace id" instead of raw bytes.
#pragma once

#include <optional>
#include <string>

namespace zerotrace::otlp {

// The `message` field (2) of a serialized google.rpc.Status; nullopt when the
// bytes are not one or carry no message.
std::optional<std::string> RpcStatusMessage(const std::string& serialized_status);

}  // namespace zerotrace::otlp
