// zerotrace's own HTTP requests (OTLP exports) carry this User-Agent. An
// agent that sees one arrive, at a collector on this host or on another
// traced host, drops it: tracing our own exports would feed a loop of spans
// about spans.
#pragma once

#include <string_view>

namespace zerotrace {

inline constexpr std::string_view kSelfUserAgentPrefix = "zerotrace/";

inline bool IsSelfTraffic(std::string_view user_agent) {
  return user_agent.starts_with(kSelfUserAgentPrefix);
}

}  // namespace zerotrace
