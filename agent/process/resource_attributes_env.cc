#include "agent/process/resource_attributes_env.h"

#include "agent/model/printable_text.h"
#include "base/text.h"

namespace zerotrace {
namespace {

// A member's key or value: a bad escape ("%" or "%4" at the end, "%zz") or
// bytes that are not UTF-8 make the whole variable invalid.
std::optional<std::string> DecodeMemberPart(std::string_view in) {
  std::optional<std::string> out = PercentDecode(in, BadPercentEscape::kReject);
  if (!out || !IsValidUtf8(*out)) return std::nullopt;
  return out;
}

}  // namespace

std::optional<ResourceAttributePairs> ParseResourceAttributesEnv(std::string_view value) {
  ResourceAttributePairs out;
  while (true) {
    size_t comma = value.find(',');
    std::string_view member = TrimBlanks(value.substr(0, comma));
    if (!member.empty()) {
      size_t eq = member.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      std::optional<std::string> key = DecodeMemberPart(TrimBlanks(member.substr(0, eq)));
      std::optional<std::string> val = DecodeMemberPart(TrimBlanks(member.substr(eq + 1)));
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
