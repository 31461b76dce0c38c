// Small text helpers shared by the whole tree: trimming, ASCII case, hex and
// percent-decoding. ASCII only and locale-free, so results never depend on
// the host's locale. The few that run on every captured request (trimming,
// case-insensitive compare, hex digits) are inline.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace zerotrace {

// --- Trimming ---------------------------------------------------------------

// `text` without leading and trailing spaces and tabs: HTTP's optional
// whitespace (RFC 9110 5.6.3), and the OTEL_RESOURCE_ATTRIBUTES members.
constexpr std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// `text` without leading and trailing spaces, tabs, CRs and LFs: values read
// from flags, the environment and files, where a stray line break is noise.
constexpr std::string_view TrimWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  const size_t begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kWhitespace) - begin + 1);
}

// --- ASCII case -------------------------------------------------------------

constexpr char ToLowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}
std::string ToLowerAscii(std::string_view text);

constexpr bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

constexpr bool StartsWithIgnoreAsciiCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreAsciiCase(text.substr(0, prefix.size()), prefix);
}

// --- Hex --------------------------------------------------------------------

// 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr bool IsHexDigit(char c) { return HexDigitValue(c) >= 0; }
// Every character a hex digit, either case (true for "").
bool IsHexDigits(std::string_view text);
// "8-4-4-4-12" hex digits with dashes, either case (a UUID as text).
bool IsUuidText(std::string_view text);

// Lowercase hex, two characters per byte, appended to `out`.
void AppendHex(std::span<const uint8_t> bytes, std::string& out);
std::string ToHex(std::span<const uint8_t> bytes);

enum class HexCase { kLowerOnly, kAny };

// Decodes exactly 2 * out.size() hex characters into `out`. False (and `out`
// unspecified) on a wrong length or a non-hex character; W3C headers demand
// kLowerOnly.
bool DecodeHex(std::string_view hex, std::span<uint8_t> out, HexCase accepted = HexCase::kAny);

// `value` as C writes a hex literal, for messages: "0x4a3f10".
std::string HexLiteral(uint64_t value);

// --- Percent-decoding (RFC 3986 2.1) -----------------------------------------

// What a '%' not followed by two hex digits means.
enum class BadPercentEscape {
  kReject,       // the whole text is invalid (W3C Baggage-style values)
  kKeepLiteral,  // it stands for itself, as most URL decoders are lenient
};

// `text` with every "%XY" replaced by the byte 0xXY. std::nullopt only with
// BadPercentEscape::kReject. The bytes decoded are not checked (UTF-8 or not).
std::optional<std::string> PercentDecode(std::string_view text, BadPercentEscape on_bad);

}  // namespace zerotrace
