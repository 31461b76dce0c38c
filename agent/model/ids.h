// Trace and span ids: random generation. Their hex text form is
// base/text.h's (AppendHex, ToHex, DecodeHex), included for the callers.
#pragma once

#include <cstdint>
#include <span>

#include "agent/model/span.h"
#include "base/text.h"

namespace zerotrace {

// Random, never all-zero (an all-zero id means "invalid" in W3C and OTLP).
// Thread-safe: each thread draws from its own generator.
TraceId NewTraceId();
SpanId NewSpanId();

bool IsAllZero(std::span<const uint8_t> bytes);

}  // namespace zerotrace
