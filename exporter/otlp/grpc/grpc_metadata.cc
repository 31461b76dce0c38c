#include "exporter/otlp/grpc/grpc_metadata.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "base/text.h"

namespace zerotrace::otlp {

namespace {

constexpr std::array<std::string_view, 4> kReservedKeys = {"user-agent", "content-type", "te", "host"};

bool IsLegalKey(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool IsReservedKey(std::string_view key) {
  return key.starts_with("grpc-") ||
         std::find(kReservedKeys.begin(), kReservedKeys.end(), key) != kReservedKeys.end();
}

bool IsLegalTextValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte <= 0x7E;
  });
}

}  // namespace

std::vector<HttpHeader> ToGrpcMetadata(const std::vector<HttpHeader>& headers) {
  std::vector<HttpHeader> metadata;
  metadata.reserve(headers.size());
  for (const HttpHeader& header : headers) {
    std::string key = ToLowerAscii(header.name);
    if (!IsLegalKey(key)) {
      spdlog::warn("OTLP/gRPC: ignoring header {:?}: gRPC metadata keys may only hold a-z, 0-9, '-', '_', '.'",
                   header.name);
    } else if (IsReservedKey(key)) {
      spdlog::warn("OTLP/gRPC: ignoring header {:?}: gRPC sets it itself", header.name);
    } else if (!key.ends_with("-bin") && !IsLegalTextValue(header.value)) {
      spdlog::warn("OTLP/gRPC: ignoring header {:?}: its value must be printable ASCII", header.name);
    } else {
      metadata.push_back({std::move(key), header.value});
    }
  }
  return metadata;
}

}  // namespace zerotrace::otlp
