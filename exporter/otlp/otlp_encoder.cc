#include "exporter/otlp/otlp_encoder.h"

#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "exporter/resource_attributes.h"

#ifndef ZEROTRACE_VERSION
#define ZEROTRACE_VERSION "unknown"
#endif

namespace zerotrace::otlp {

namespace {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;

// Only spans that were sampled reach an exporter, so the W3C "sampled" bit
// is always set.
constexpr uint32_t kSampledTraceFlag = 0x01;

void SetAnyValue(const AttributeValue& value, common::AnyValue* out) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) out->set_string_value(v);
        else if constexpr (std::is_same_v<T, int64_t>) out->set_int_value(v);
        else if constexpr (std::is_same_v<T, bool>) out->set_bool_value(v);
        else out->set_double_value(v);
      },
      value);
}

void AddKeyValue(std::string_view key, const AttributeValue& value,
                 google::protobuf::RepeatedPtrField<common::KeyValue>* out) {
  common::KeyValue* kv = out->Add();
  kv->set_key(key.data(), key.size());
  SetAnyValue(value, kv->mutable_value());
}

void EncodeSpan(const Span& span, trace::Span* out) {
  out->set_trace_id(span.trace_id.data(), span.trace_id.size());
  out->set_span_id(span.span_id.data(), span.span_id.size());
  if (!span.trace_state.empty()) out->set_trace_state(span.trace_state);
  if (span.has_parent()) out->set_parent_span_id(span.parent_span_id.data(), span.parent_span_id.size());
  out->set_flags(kSampledTraceFlag);
  out->set_name(span.name);
  // SpanKind and StatusCode are declared with OTLP's numeric values.
  out->set_kind(static_cast<trace::Span::SpanKind>(span.kind));
  out->set_start_time_unix_nano(span.start_unix_ns);
  out->set_end_time_unix_nano(span.end_unix_ns);
  for (const Attribute& attribute : span.attributes)
    AddKeyValue(attribute.key, attribute.value, out->mutable_attributes());
  if (span.status != StatusCode::kUnset || !span.status_message.empty()) {
    trace::Status* status = out->mutable_status();
    status->set_code(static_cast<trace::Status::StatusCode>(span.status));
    status->set_message(span.status_message);
  }
}

trace::ScopeSpans* AddResourceSpans(const Resource* resource,
                                    ExportTraceServiceRequest* request) {
  trace::ResourceSpans* resource_spans = request->add_resource_spans();
  if (resource != nullptr) {
    auto* attributes = resource_spans->mutable_resource()->mutable_attributes();
    ForEachResourceAttribute(*resource, [attributes](std::string_view key, const AttributeValue& value) {
      AddKeyValue(key, value, attributes);
    });
  }
  trace::ScopeSpans* scope_spans = resource_spans->add_scope_spans();
  scope_spans->mutable_scope()->set_name(kScopeName);
  scope_spans->mutable_scope()->set_version(ZEROTRACE_VERSION);
  return scope_spans;
}

}  // namespace

void EncodeExportRequest(std::span<const Span> spans, ExportTraceServiceRequest* request) {
  request->Clear();
  // A batch holds few processes, and a process's spans tend to arrive in
  // runs: a short list searched from the last hit beats a hash map here.
  std::vector<std::pair<const Resource*, trace::ScopeSpans*>> groups;
  size_t last = 0;
  for (const Span& span : spans) {
    const Resource* resource = span.resource.get();
    if (groups.empty() || groups[last].first != resource) {
      last = 0;
      while (last < groups.size() && groups[last].first != resource) ++last;
      if (last == groups.size()) groups.emplace_back(resource, AddResourceSpans(resource, request));
    }
    EncodeSpan(span, groups[last].second->add_spans());
  }
}

}  // namespace zerotrace::otlp
