#include "exporter/otlp/grpc/grpc_target.h"

#include <algorithm>
#include <cctype>

#include "exporter/otlp/otlp_settings.h"

namespace zerotrace::otlp {

namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

}  // namespace

GrpcTarget ParseGrpcEndpoint(std::string_view endpoint, bool insecure) {
  if (endpoint.empty()) endpoint = kDefaultGrpcEndpoint;
  GrpcTarget result;
  if (StartsWithNoCase(endpoint, "https://")) {
    endpoint.remove_prefix(8);
    result.use_tls = true;
  } else if (StartsWithNoCase(endpoint, "http://")) {
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
