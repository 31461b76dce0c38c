// Names of the OTLP settings' enum values, as the OTEL_* variables spell them.
#include "exporter/otlp/otlp_settings.h"

namespace zerotrace::otlp {

std::string_view ProtocolName(OtlpProtocol protocol) {
  switch (protocol) {
    case OtlpProtocol::kHttpProtobuf:
      return "http/protobuf";
    case OtlpProtocol::kHttpJson:
      return "http/json";
    case OtlpProtocol::kGrpc:
      return "grpc";
  }
  return "http/protobuf";
}

}  // namespace zerotrace::otlp
