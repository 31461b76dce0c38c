#include "agent/model/traceparent.h"

#include "agent/model/ids.h"
#include "base/text.h"

namespace zerotrace {
namespace {

// version(2) '-' trace-id(32) '-' parent-id(16) '-' flags(2)
constexpr size_t kVersion00Size = 55;

}  // namespace

std::optional<TraceParent> ParseTraceParent(std::string_view value) {
  value = TrimBlanks(value);
  if (value.size() < kVersion00Size) return std::nullopt;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;

  uint8_t version = 0;
  if (!DecodeHex(value.substr(0, 2), {&version, 1}, HexCase::kLowerOnly)) return std::nullopt;
  if (version == 0xff) return std::nullopt;
  if (version == 0x00 && value.size() != kVersion00Size) return std::nullopt;
  // Future versions may append fields, each introduced by '-'.
  if (value.size() > kVersion00Size && value[kVersion00Size] != '-') return std::nullopt;

  TraceParent tp;
  if (!DecodeHex(value.substr(3, 32), tp.trace_id, HexCase::kLowerOnly)) return std::nullopt;
  if (!DecodeHex(value.substr(36, 16), tp.parent_id, HexCase::kLowerOnly)) return std::nullopt;
  if (!DecodeHex(value.substr(53, 2), {&tp.flags, 1}, HexCase::kLowerOnly)) return std::nullopt;
  if (IsAllZero(tp.trace_id) || IsAllZero(tp.parent_id)) return std::nullopt;
  return tp;
}

std::string FormatTraceParent(const TraceId& trace_id, const SpanId& span_id, uint8_t flags) {
  std::string out;
  out.reserve(kVersion00Size);
  out += "00-";
  AppendHex(trace_id, out);
  out += '-';
  AppendHex(span_id, out);
  out += '-';
  AppendHex({&flags, 1}, out);
  return out;
}

std::string_view NormalizeTraceState(std::string_view value) {
  value = TrimBlanks(value);
  if (value.size() <= kMaxTraceStateBytes) return value;
  // Keep the longest prefix of whole members: cut at the last ',' that still
  // leaves the kept part within the cap.
  size_t cut = value.rfind(',', kMaxTraceStateBytes);
  if (cut == std::string_view::npos) return {};
  return TrimBlanks(value.substr(0, cut));
}

}  // namespace zerotrace
