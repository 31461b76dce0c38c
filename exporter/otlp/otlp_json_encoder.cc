#include "exporter/otlp/otlp_json_encoder.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "agent/model/ids.h"
#include "base/text.h"
#include "exporter/jsonl/json_escape.h"
#include "exporter/otlp/otlp_encoder.h"  // kScopeName
#include "exporter/resource_attributes.h"

#ifndef ZEROTRACE_VERSION
#define ZEROTRACE_VERSION "unknown"
#endif

namespace zerotrace::otlp {

namespace {

using jsonl::AppendJsonString;

// Same as the protobuf encoder: only sampled spans reach an exporter.
constexpr uint32_t kSampledTraceFlag = 0x01;

// std::to_chars ignores the locale (a decimal comma would break the JSON)
// and, for doubles, writes the shortest text that reads back exactly.
void AppendNumber(auto value, std::string* out) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  // Cannot fail for these types with 64 bytes of room; "0" keeps the JSON
  // valid if it ever did.
  if (error == std::errc()) out->append(buffer, end);
  else out->push_back('0');
}

// proto3 JSON writes 64-bit integers as strings: JavaScript numbers lose
// precision beyond 2^53.
void AppendQuotedNumber(auto value, std::string* out) {
  out->push_back('"');
  AppendNumber(value, out);
  out->push_back('"');
}

// proto3 JSON spells the doubles JSON cannot hold as strings.
void AppendDouble(double value, std::string* out) {
  if (std::isnan(value)) out->append("\"NaN\"");
  else if (std::isinf(value)) out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  else AppendNumber(value, out);
}

void AppendHexString(std::span<const uint8_t> bytes, std::string* out) {
  out->push_back('"');
  AppendHex(bytes, *out);
  out->push_back('"');
}

// `name` is a plain identifier; writes `,"name":` (or without the comma for
// the first member of an object).
void AppendKey(std::string_view name, bool first, std::string* out) {
  if (!first) out->push_back(',');
  out->push_back('"');
  out->append(name);
  out->append("\":");
}

// AnyValue is a oneof: the member is written even when it holds its default
// (empty string, 0, false), as protobuf serializes it too.
void AppendAnyValue(const AttributeValue& value, std::string* out) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out->append("{\"stringValue\":");
          AppendJsonString(v, out);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out->append("{\"intValue\":");
          AppendQuotedNumber(v, out);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->append(v ? "{\"boolValue\":true" : "{\"boolValue\":false");
        } else {
          out->append("{\"doubleValue\":");
          AppendDouble(v, out);
        }
      },
      value);
  out->push_back('}');
}

// A KeyValue keeps its "key" even when empty: it names the pair.
void AppendKeyValue(std::string_view key, const AttributeValue& value, bool first, std::string* out) {
  if (!first) out->push_back(',');
  out->append("{\"key\":");
  AppendJsonString(key, out);
  out->append(",\"value\":");
  AppendAnyValue(value, out);
  out->push_back('}');
}

void AppendSpan(const Span& span, std::string* out) {
  out->push_back('{');
  AppendKey("traceId", /*first=*/true, out);
  AppendHexString(span.trace_id, out);
  AppendKey("spanId", false, out);
  AppendHexString(span.span_id, out);
  if (!span.trace_state.empty()) {
    AppendKey("traceState", false, out);
    AppendJsonString(span.trace_state, out);
  }
  if (span.has_parent()) {
    AppendKey("parentSpanId", false, out);
    AppendHexString(span.parent_span_id, out);
  }
  AppendKey("flags", false, out);
  AppendNumber(kSampledTraceFlag, out);
  if (!span.name.empty()) {
    AppendKey("name", false, out);
    AppendJsonString(span.name, out);
  }
  // SpanKind and StatusCode are declared with OTLP's numeric values.
  if (span.kind != SpanKind::kUnspecified) {
    AppendKey("kind", false, out);
    AppendNumber(static_cast<int>(span.kind), out);
  }
  if (span.start_unix_ns != 0) {
    AppendKey("startTimeUnixNano", false, out);
    AppendQuotedNumber(span.start_unix_ns, out);
  }
  if (span.end_unix_ns != 0) {
    AppendKey("endTimeUnixNano", false, out);
    AppendQuotedNumber(span.end_unix_ns, out);
  }
  if (!span.attributes.empty()) {
    AppendKey("attributes", false, out);
    out->push_back('[');
    bool first = true;
    for (const Attribute& attribute : span.attributes) {
      AppendKeyValue(attribute.key, attribute.value, first, out);
      first = false;
    }
    out->push_back(']');
  }
  // Present under the same condition as in the protobuf encoder.
  if (span.status != StatusCode::kUnset || !span.status_message.empty()) {
    AppendKey("status", false, out);
    out->push_back('{');
    bool first = true;
    if (!span.status_message.empty()) {
      AppendKey("message", first, out);
      AppendJsonString(span.status_message, out);
      first = false;
    }
    if (span.status != StatusCode::kUnset) {
      AppendKey("code", first, out);
      AppendNumber(static_cast<int>(span.status), out);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

// A span without a Resource gets a resourceSpans without "resource"; a
// Resource with no attributes gets "resource":{} — as in the protobuf
// encoder, which sets the message only for a non-null Resource.
void AppendResource(const Resource* resource, std::string* out) {
  if (resource == nullptr) return;
  AppendKey("resource", /*first=*/true, out);
  out->push_back('{');
  bool first = true;
  ForEachResourceAttribute(*resource, [&](std::string_view key, const AttributeValue& value) {
    if (first) out->append("\"attributes\":[");
    AppendKeyValue(key, value, first, out);
    first = false;
  });
  if (!first) out->push_back(']');
  out->push_back('}');
}

// One resourceSpans: the Resource, then every span of `spans` from
// `first_index` on that belongs to it.
void AppendResourceSpans(std::span<const Span> spans, size_t first_index, std::string* out) {
  const Resource* resource = spans[first_index].resource.get();
  out->push_back('{');
  AppendResource(resource, out);
  AppendKey("scopeSpans", /*first=*/resource == nullptr, out);
  out->append("[{\"scope\":{\"name\":");
  AppendJsonString(kScopeName, out);
  out->append(",\"version\":");
  AppendJsonString(ZEROTRACE_VERSION, out);
  out->append("},\"spans\":[");
  bool first = true;
  for (size_t i = first_index; i < spans.size(); ++i) {
    if (spans[i].resource.get() != resource) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendSpan(spans[i], out);
  }
  out->append("]}]}");
}

}  // namespace

void EncodeExportRequestJson(std::span<const Span> spans, std::string* out) {
  out->clear();
  if (spans.empty()) {
    out->append("{}");
    return;
  }
  // JSON is written front to back, so the groups are found first: the index
  // of the first span of each Resource, in order. A batch holds few
  // processes and their spans come in runs, so a short list searched from
  // the last hit beats a hash map.
  std::vector<std::pair<const Resource*, size_t>> groups;
  size_t last = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    const Resource* resource = spans[i].resource.get();
    if (!groups.empty() && groups[last].first == resource) continue;
    last = 0;
    while (last < groups.size() && groups[last].first != resource) ++last;
    if (last == groups.size()) groups.emplace_back(resource, i);
  }

  out->append("{\"resourceSpans\":[");
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g != 0) out->push_back(',');
    AppendResourceSpans(spans, groups[g].second, out);
  }
  out->append("]}");
}

}  // namespace zerotrace::otlp
