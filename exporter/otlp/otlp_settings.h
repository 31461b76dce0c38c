// Everything that decides where and how OTLP trace exports go. The agent's
// configuration layer (CLI > environment > YAML file) resolves it; the
// exporter only reads it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/otlp/batch_options.h"
#include "exporter/otlp/http_header.h"

namespace zerotrace::otlp {

// The values OTEL_EXPORTER_OTLP_PROTOCOL takes: "http/protobuf" (default),
// "http/json", "grpc".
enum class OtlpProtocol { kHttpProtobuf, kHttpJson, kGrpc };
// OTEL_EXPORTER_OTLP_COMPRESSION: "none" (default) or "gzip".
enum class OtlpCompression { kNone, kGzip };

inline constexpr char kDefaultHttpTracesUrl[] = "http://localhost:4318/v1/traces";
inline constexpr char kDefaultGrpcEndpoint[] = "http://localhost:4317";

struct OtlpSettings {
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
  // HTTP protocols: the full traces URL ("https://host:4318/v1/traces").
  // gRPC: the target, with or without scheme ("http://host:4317",
  // "https://host:4317", "host:4317").
  std::string endpoint;
  std::vector<HttpHeader> headers;  // HTTP headers, or gRPC metadata (keys lower-cased)
  OtlpCompression compression = OtlpCompression::kNone;
  std::chrono::milliseconds timeout{10000};  // one request (OTEL_EXPORTER_OTLP_TIMEOUT)
  std::string certificate_file;              // PEM CA bundle to trust; empty: the system's
  // gRPC without a scheme in the endpoint: plaintext when true, else TLS
  // (OTEL_EXPORTER_OTLP_INSECURE). A scheme always decides by itself.
  bool insecure = false;
  BatchOptions batch;
};

// "http/protobuf", "http/json", "grpc".
std::string_view ProtocolName(OtlpProtocol protocol);

}  // namespace zerotrace::otlp
