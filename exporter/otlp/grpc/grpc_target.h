// Turns the OTLP/gRPC endpoint setting ("http://host:4317",
// "https://host:4317", "host:4317") into what gRPC wants: a target without
// scheme, and whether to speak TLS.
#pragma once

#include <string>
#include <string_view>

namespace zerotrace::otlp {

struct GrpcTarget {
  std::string target;  // "host:4317", as grpc::CreateChannel takes it
  bool use_tls = false;
};

// "http://" means plaintext and "https://" TLS, whatever `insecure` says
// (schemes are matched case-insensitively); without one of them, TLS unless
// `insecure`. Trailing slashes are dropped. An empty endpoint is
// kDefaultGrpcEndpoint.
GrpcTarget ParseGrpcEndpoint(std::string_view endpoint, bool insecure);

}  // namespace zerotrace::otlp
