// Parsers for setting values shared by the flag, environment and file sources.
#include "agent/config/config_values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <regex>
#include <utility>

#include "base/text.h"

namespace zerotrace {
namespace {

// Letters, digits, dots and hyphens, neither first nor last a dot or hyphen;
// all digits and dots only if a valid IPv4 address ("127.0.0.300" is not).
bool IsHostNameOrIpv4(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  auto allowed = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; };
  if (!std::all_of(host.begin(), host.end(), allowed)) return false;
  if (host.front() == '.' || host.front() == '-' || host.back() == '.' || host.back() == '-') return false;
  const bool numeric = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  in_addr ipv4{};
  return !numeric || inet_pton(AF_INET, std::string(host).c_str(), &ipv4) == 1;
}

}  // namespace

std::optional<TelemetryAddressSetting> ParseTelemetryAddress(std::string_view text) {
  text = TrimWhitespace(text);
  if (EqualsIgnoreAsciiCase(text, "off")) return TelemetryAddressSetting{false, {}};
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {  // [IPv6]:PORT
    const size_t close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    in6_addr ipv6{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &ipv6) != 1) return std::nullopt;
  } else {  // one colon only: an unbracketed IPv6 address is ambiguous
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos)
      return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (!IsHostNameOrIpv4(host)) return std::nullopt;
  }
  auto port_number = ParseUnsignedInRange(port, 1, 65535);
  if (!port_number) return std::nullopt;
  return TelemetryAddressSetting{true, {std::string(host), static_cast<uint16_t>(*port_number)}};
}

std::optional<OutputKind> ParseOutputKind(std::string_view text) {
  constexpr std::array<std::pair<std::string_view, OutputKind>, 3> kKinds{{
      {"console", OutputKind::kConsole},
      {"json", OutputKind::kJson},
      {"otlp", OutputKind::kOtlp},
  }};
  for (const auto& [name, kind] : kKinds)
    if (text == name) return kind;
  return std::nullopt;
}

std::optional<otlp::OtlpProtocol> ParseOtlpProtocol(std::string_view text) {
  for (auto protocol : {otlp::OtlpProtocol::kHttpProtobuf, otlp::OtlpProtocol::kHttpJson,
                        otlp::OtlpProtocol::kGrpc})
    if (text == otlp::ProtocolName(protocol)) return protocol;
  return std::nullopt;
}

std::optional<otlp::OtlpCompression> ParseOtlpCompression(std::string_view text) {
  if (text == "none") return otlp::OtlpCompression::kNone;
  if (text == "gzip") return otlp::OtlpCompression::kGzip;
  return std::nullopt;
}

std::optional<bool> ParseTrueFalse(std::string_view text) {
  if (EqualsIgnoreAsciiCase(text, "true")) return true;
  if (EqualsIgnoreAsciiCase(text, "false")) return false;
  return std::nullopt;
}

std::optional<uint64_t> ParseUnsignedInRange(std::string_view text, uint64_t min, uint64_t max) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) return std::nullopt;
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParsePositiveInteger(std::string_view text) {
  return ParseUnsignedInRange(text, 1, kMaxConfigInteger);
}

std::optional<std::string> RegexProblem(const std::string& pattern) {
  try {
    std::regex check(pattern);
  } catch (const std::regex_error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace zerotrace
