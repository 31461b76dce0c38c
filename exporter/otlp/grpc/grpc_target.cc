#include "exporter/otlp/grpc/grpc_target.h"

#include "base/text.h"
#include "exporter/otlp/otlp_settings.h"

namespace zerotrace::otlp {

GrpcTarget ParseGrpcEndpoint(std::string_view endpoint, bool insecure) {
  if (endpoint.empty()) endpoint = kDefaultGrpcEndpoint;
  GrpcTarget result;
  if (StartsWithIgnoreAsciiCase(endpoint, "https://")) {
    endpoint.remove_prefix(8);
    result.use_tls = true;
  } else if (StartsWithIgnoreAsciiCase(endpoint, "http://")) {
    endpoint.remove_prefix(7);
    result.use_tls = false;
  } else {
    result.use_tls = !insecure;
  }
  while (endpoint.ends_with('/')) endpoint.remove_suffix(1);
  result.target = std::string(endpoint);
  return result;
}

}  // namespace zerotrace::otlp
