#include "exporter/jsonl/span_json.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <type_traits>
#include <variant>

#include "agent/model/ids.h"
#include "base/text.h"
#include "exporter/jsonl/json_escape.h"
#include "exporter/resource_attributes.h"

namespace zerotrace::jsonl {

namespace {

// std::to_chars, unlike printf, ignores the locale: a decimal comma would
// make invalid JSON.
template <typename... Format>
void AppendNumber(auto value, std::string* out, Format... format) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, format...);
  if (error == std::errc()) out->append(buffer, end);
  else out->append("null");
}

void AppendValue(const AttributeValue& value, std::string* out) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          AppendJsonString(v, out);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->append(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) AppendNumber(v, out);
          else out->append("null");
        } else {
          AppendNumber(v, out);
        }
      },
      value);
}

void AppendMember(std::string_view key, const AttributeValue& value, bool* first, std::string* out) {
  if (!*first) out->push_back(',');
  *first = false;
  AppendJsonString(key, out);
  out->push_back(':');
  AppendValue(value, out);
}

void AppendKey(std::string_view key, std::string* out) {
  out->push_back(',');
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

}  // namespace

const char* SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kServer: return "SERVER";
    case SpanKind::kClient: return "CLIENT";
    case SpanKind::kInternal: return "INTERNAL";
    case SpanKind::kUnspecified: break;
  }
  return "UNSPECIFIED";
}

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kError: return "ERROR";
    case StatusCode::kUnset: break;
  }
  return "UNSET";
}

void AppendSpanJsonLine(const Span& span, std::string* out) {
  out->append("{\"trace_id\":\"");
  AppendHex(span.trace_id, *out);
  out->append("\",\"span_id\":\"");
  AppendHex(span.span_id, *out);
  out->append("\",\"parent_span_id\":\"");
  if (span.has_parent()) AppendHex(span.parent_span_id, *out);
  out->push_back('"');
  AppendKey("trace_state", out);
  AppendJsonString(span.trace_state, out);
  AppendKey("name", out);
  AppendJsonString(span.name, out);
  AppendKey("kind", out);
  AppendJsonString(SpanKindName(span.kind), out);
  AppendKey("start_time_unix_nano", out);
  AppendNumber(span.start_unix_ns, out);
  AppendKey("end_time_unix_nano", out);
  AppendNumber(span.end_unix_ns, out);
  AppendKey("duration_ms", out);
  // Signed: a span whose clocks disagree shows a negative duration rather
  // than a huge wrapped one.
  const auto duration_ns = static_cast<int64_t>(span.end_unix_ns - span.start_unix_ns);
  AppendNumber(static_cast<double>(duration_ns) / 1e6, out, std::chars_format::fixed, 3);
  AppendKey("status", out);
  AppendJsonString(StatusCodeName(span.status), out);
  AppendKey("status_message", out);
  AppendJsonString(span.status_message, out);

  AppendKey("attributes", out);
  out->push_back('{');
  bool first = true;
  for (const Attribute& attribute : span.attributes) AppendMember(attribute.key, attribute.value, &first, out);
  out->push_back('}');

  AppendKey("resource", out);
  out->push_back('{');
  first = true;
  if (span.resource) {
    ForEachResourceAttribute(*span.resource, [&](std::string_view key, const AttributeValue& value) {
      AppendMember(key, value, &first, out);
    });
  }
  out->append("}}\n");
}

}  // namespace zerotrace::jsonl
