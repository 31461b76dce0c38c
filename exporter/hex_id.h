// Lower-case hex of trace and span ids, the form W3C traceparent, Jaeger and
// the JSON output all use.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace zerotrace {

void AppendHex(std::span<const uint8_t> bytes, std::string* out);

inline std::string ToHex(std::span<const uint8_t> bytes) {
  std::string out;
  AppendHex(bytes, &out);
  return out;
}

}  // namespace zerotrace
