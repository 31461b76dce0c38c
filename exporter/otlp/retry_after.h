// The HTTP Retry-After header (RFC 9110 §10.2.3): either a number of seconds
// or an HTTP date. OTLP receivers send it with 429 and 503 to say when to
// come back.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace zerotrace::otlp {

// How long to wait, from `now`; a date in the past is zero. nullopt when the
// value is neither form. Waits are capped at one hour: a receiver cannot
// park the exporter for days with one header.
std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace zerotrace::otlp
