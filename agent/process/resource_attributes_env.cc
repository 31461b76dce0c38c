#include "agent/process/resource_attributes_env.h"

#include "agent/model/printable_text.h"

namespace zerotrace {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;  // "%" or "%4" at the end
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
    i += 2;
  }
  if (!IsValidUtf8(out)) return std::nullopt;
  return out;
}

}  // namespace

std::optional<ResourceAttributePairs> ParseResourceAttributesEnv(std::string_view value) {
  ResourceAttributePairs out;
  while (true) {
    size_t comma = value.find(',');
    std::string_view member = Trim(value.substr(0, comma));
    if (!member.empty()) {
      size_t eq = member.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      std::optional<std::string> key = PercentDecode(Trim(member.substr(0, eq)));
      std::optional<std::string> val = PercentDecode(Trim(member.substr(eq + 1)));
      if (!key || !val || key->empty()) return std::nullopt;
      if (out.size() < kMaxEnvResourceAttributes && key->size() <= kMaxEnvResourceKeyBytes &&
          val->size() <= kMaxEnvResourceValueBytes)
        out.emplace_back(std::move(*key), std::move(*val));
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace zerotrace
