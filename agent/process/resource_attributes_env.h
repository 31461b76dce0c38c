// OTEL_RESOURCE_ATTRIBUTES as the OTel SDK environment spec defines it:
// "key1=value1,key2=value2", keys and values percent-encoded where needed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zerotrace {

using ResourceAttributePairs = std::vector<std::pair<std::string, std::string>>;

inline constexpr size_t kMaxEnvResourceAttributes = 128;
inline constexpr size_t kMaxEnvResourceKeyBytes = 256;
inline constexpr size_t kMaxEnvResourceValueBytes = 4096;

// Pairs in order of appearance, keys and values trimmed of spaces/tabs and
// percent-decoded; empty list members are skipped. nullopt when the value is
// malformed (a member without '=', an empty key, a bad %-escape, a key or
// value that is not UTF-8 after decoding): the spec says to discard the whole
// variable then, rather than guess. Entries past the caps above are dropped.
std::optional<ResourceAttributePairs> ParseResourceAttributesEnv(std::string_view value);

}  // namespace zerotrace
