// Trace and span ids: random generation and hex text form.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "agent/model/span.h"

namespace zerotrace {

// Random, never all-zero (an all-zero id means "invalid" in W3C and OTLP).
// Thread-safe: each thread draws from its own generator.
TraceId NewTraceId();
SpanId NewSpanId();

bool IsAllZero(std::span<const uint8_t> bytes);

// Lowercase hex, two characters per byte, appended to `out`.
void AppendHex(std::span<const uint8_t> bytes, std::string& out);
std::string ToHex(std::span<const uint8_t> bytes);

enum class HexCase { kLowerOnly, kAny };

// Decodes exactly 2 * out.size() hex characters into `out`. False (and `out`
// unspecified) on a wrong length or a non-hex character; W3C headers demand
// kLowerOnly.
bool DecodeHex(std::string_view hex, std::span<uint8_t> out, HexCase accepted = HexCase::kAny);

}  // namespace zerotrace
