// Parsers for setting values shared by the flag, environment and file sources.
#include "agent/config/config_values.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <regex>
#include <utility>

namespace zerotrace {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

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
  if (EqualsIgnoringCase(text, "true")) return true;
  if (EqualsIgnoringCase(text, "false")) return false;
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

std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace zerotrace
