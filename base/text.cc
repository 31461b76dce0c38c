#include "base/text.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace zerotrace {
namespace {

// Digit value per byte, -1 for "not hex". Tables rather than branches:
// DecodeHex runs on the traceparent of every traced request.
struct HexTables {
  std::array<int8_t, 256> lower;
  std::array<int8_t, 256> any;
};
constexpr HexTables kHex = [] {
  HexTables t{};
  t.lower.fill(-1);
  t.any.fill(-1);
  for (int c = '0'; c <= '9'; ++c) t.lower[c] = t.any[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t.lower[c] = t.any[c] = static_cast<int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t.any[c] = static_cast<int8_t>(c - 'A' + 10);
  return t;
}();

}  // namespace

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

bool IsHexDigits(std::string_view text) { return std::all_of(text.begin(), text.end(), IsHexDigit); }

bool IsUuidText(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash_slot = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_slot ? text[i] != '-' : !IsHexDigit(text[i])) return false;
  }
  return true;
}

void AppendHex(std::span<const uint8_t> bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  size_t pos = out.size();
  out.resize(pos + 2 * bytes.size());
  for (uint8_t b : bytes) {
    out[pos++] = kDigits[b >> 4];
    out[pos++] = kDigits[b & 0xf];
  }
}

std::string ToHex(std::span<const uint8_t> bytes) {
  std::string out;
  AppendHex(bytes, out);
  return out;
}

bool DecodeHex(std::string_view hex, std::span<uint8_t> out, HexCase accepted) {
  if (hex.size() != 2 * out.size()) return false;
  const std::array<int8_t, 256>& table = accepted == HexCase::kLowerOnly ? kHex.lower : kHex.any;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = table[static_cast<unsigned char>(hex[2 * i])];
    int lo = table[static_cast<unsigned char>(hex[2 * i + 1])];
    if ((hi | lo) < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

std::string HexLiteral(uint64_t value) {
  char text[2 + 16] = {'0', 'x'};
  const auto end = std::to_chars(text + 2, text + sizeof(text), value, 16).ptr;
  return std::string(text, end);
}

std::optional<std::string> PercentDecode(std::string_view text, BadPercentEscape on_bad) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      const bool room = i + 2 < text.size();
      const int hi = room ? HexDigitValue(text[i + 1]) : -1;
      const int lo = room ? HexDigitValue(text[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi << 4 | lo));
        i += 2;
        continue;
      }
      if (on_bad == BadPercentEscape::kReject) return std::nullopt;
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace zerotrace
