// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent`
// and `tracestate` header values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/model/span.h"

namespace zerotrace {

struct TraceParent {
  TraceId trace_id{};
  SpanId parent_id{};  // the span id of the caller's span
  uint8_t flags = 0;
  bool sampled() const { return (flags & 0x01) != 0; }
};

// Strict parse. Invalid (nullopt): wrong lengths or separators, uppercase or
// non-hex characters, version ff, all-zero trace id or parent id, version 00
// with trailing data. A future version is accepted when its first 55
// characters parse as version 00 and any extra data starts with '-'.
// Surrounding spaces/tabs (HTTP optional whitespace) are ignored.
std::optional<TraceParent> ParseTraceParent(std::string_view value);

// "00-<32 hex>-<16 hex>-<2 hex>".
std::string FormatTraceParent(const TraceId& trace_id, const SpanId& span_id, uint8_t flags);

inline constexpr size_t kMaxTraceStateBytes = 512;

// The tracestate value carried as-is: trimmed of optional whitespace and, if
// longer than kMaxTraceStateBytes, cut back to whole list members (the spec
// allows dropping members from the end; cutting one in half would corrupt it).
// Returns a view into `value`: the result is always a substring of it.
std::string_view NormalizeTraceState(std::string_view value);

}  // namespace zerotrace
