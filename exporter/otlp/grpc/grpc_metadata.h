// The configured export headers as gRPC metadata. gRPC aborts the process
// on a call whose metadata breaks its rules, so entries are checked once,
// up front, and the bad ones dropped with a warning.
#pragma once

#include <vector>

#include "exporter/otlp/http_header.h"

namespace zerotrace::otlp {

// Keys are lower-cased, then kept when made of [0-9a-z-_.] and not
// reserved ("grpc-*", "user-agent", "content-type", "te", "host"). Values
// must be printable ASCII unless the key ends in "-bin" (binary metadata).
std::vector<HttpHeader> ToGrpcMetadata(const std::vector<HttpHeader>& headers);

}  // namespace zerotrace::otlp
