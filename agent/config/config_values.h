// Parsing of the setting values every source shares (flags, OTEL_* variables,
// the YAML file), so "grpc" or "gzip" means the same wherever it is written.
// Each returns std::nullopt for text it does not accept; the caller names the
// source in the error, using the matching k...Expected text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/config/agent_config.h"
#include "exporter/otlp/otlp_settings.h"

namespace zerotrace {

inline constexpr char kOutputExpected[] = "console, json or otlp";
inline constexpr char kProtocolExpected[] = "grpc, http/protobuf or http/json";
inline constexpr char kCompressionExpected[] = "none or gzip";
inline constexpr char kTrueFalseExpected[] = "true or false";
inline constexpr char kPositiveIntegerExpected[] = "a positive integer";
inline constexpr char kTelemetryAddressExpected[] =
    "HOST:PORT (e.g. 127.0.0.1:9400, 0.0.0.0:9400, [::1]:9400) or off";

// --record-max-mb: up to 1 TiB.
inline constexpr uint32_t kMaxRecordMb = 1u << 20;

// Largest count or millisecond value any setting takes (about 24 days).
inline constexpr uint64_t kMaxConfigInteger = 2147483647;

std::optional<OutputKind> ParseOutputKind(std::string_view text);
std::optional<otlp::OtlpProtocol> ParseOtlpProtocol(std::string_view text);
std::optional<otlp::OtlpCompression> ParseOtlpCompression(std::string_view text);

// A telemetry address setting: "off" (any letter case) turns the endpoints
// off; otherwise HOST:PORT, the host an IPv4 address, a host name, or an
// IPv6 address in brackets, the port 1..65535.
struct TelemetryAddressSetting {
  bool enabled = true;
  ListenAddress address;  // when enabled
};
std::optional<TelemetryAddressSetting> ParseTelemetryAddress(std::string_view text);

// "true" or "false" in any letter case.
std::optional<bool> ParseTrueFalse(std::string_view text);

// A decimal integer in [min, max], digits only (no sign, no spaces).
std::optional<uint64_t> ParseUnsignedInRange(std::string_view text, uint64_t min, uint64_t max);

// 1 .. kMaxConfigInteger.
std::optional<uint64_t> ParsePositiveInteger(std::string_view text);

// std::nullopt when `pattern` is a valid std::regex, else why it is not.
std::optional<std::string> RegexProblem(const std::string& pattern);

}  // namespace zerotrace
