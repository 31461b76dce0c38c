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

// Steady-state encoding reuses the previous batch's messages: element i of
// every repeated field is overwritten in place and the surplus removed.
// Clear() would be simpler, but a generated message's Clear() deletes its
// singular sub-messages (each KeyValue's AnyValue, each Span's Status) and
// the strings of oneofs, so every batch would allocate them all again: the
// replay benchmark measured that as the largest cost of the whole pipeline.
template <typename T>
T* Slot(google::protobuf::RepeatedPtrField<T>* field, int index) {
  return index < field->size() ? field->Mutable(index) : field->Add();
}

template <typename T>
void Truncate(google::protobuf::RepeatedPtrField<T>* field, int size) {
  while (field->size() > size) field->RemoveLast();  // kept, cleared, for the next batch
}

void SetKeyValue(std::string_view key, const AttributeValue& value, common::KeyValue* kv) {
  kv->set_key(key.data(), key.size());
  SetAnyValue(value, kv->mutable_value());
}

void EncodeSpan(const Span& span, trace::Span* out) {
  out->set_trace_id(span.trace_id.data(), span.trace_id.size());
  out->set_span_id(span.span_id.data(), span.span_id.size());
  if (!span.trace_state.empty()) {
    out->set_trace_state(span.trace_state);
  } else {
    out->clear_trace_state();
  }
  if (span.has_parent()) {
    out->set_parent_span_id(span.parent_span_id.data(), span.parent_span_id.size());
  } else {
    out->clear_parent_span_id();
  }
  out->set_flags(kSampledTraceFlag);
  out->set_name(span.name);
  // SpanKind and StatusCode are declared with OTLP's numeric values.
  out->set_kind(static_cast<trace::Span::SpanKind>(span.kind));
  out->set_start_time_unix_nano(span.start_unix_ns);
  out->set_end_time_unix_nano(span.end_unix_ns);
  auto* attributes = out->mutable_attributes();
  int n = 0;
  for (const Attribute& attribute : span.attributes)
    SetKeyValue(attribute.key, attribute.value, Slot(attributes, n++));
  Truncate(attributes, n);
  if (span.status != StatusCode::kUnset || !span.status_message.empty()) {
    trace::Status* status = out->mutable_status();
    status->set_code(static_cast<trace::Status::StatusCode>(span.status));
    status->set_message(span.status_message);
  } else if (out->has_status()) {
    out->clear_status();
  }
}

// One ResourceSpans per process, each with one ScopeSpans, written into the
// request's `index`th slot; its spans are filled by the caller.
struct ResourceGroup {
  const Resource* resource;
  trace::ScopeSpans* scope_spans;
  int spans = 0;
};

ResourceGroup AddResourceSpans(const Resource* resource, int index, ExportTraceServiceRequest* request) {
  trace::ResourceSpans* resource_spans = Slot(request->mutable_resource_spans(), index);
  if (resource != nullptr) {
    auto* attributes = resource_spans->mutable_resource()->mutable_attributes();
    int n = 0;
    ForEachResourceAttribute(*resource, [attributes, &n](std::string_view key, const AttributeValue& value) {
      SetKeyValue(key, value, Slot(attributes, n++));
    });
    Truncate(attributes, n);
  } else {
    resource_spans->clear_resource();
  }
  auto* scopes = resource_spans->mutable_scope_spans();
  trace::ScopeSpans* scope_spans = Slot(scopes, 0);
  Truncate(scopes, 1);
  scope_spans->mutable_scope()->set_name(kScopeName);
  scope_spans->mutable_scope()->set_version(ZEROTRACE_VERSION);
  return {resource, scope_spans};
}

}  // namespace

void EncodeExportRequest(std::span<const Span> spans, ExportTraceServiceRequest* request) {
  // A batch holds few processes, and a process's spans tend to arrive in
  // runs: a short list searched from the last hit beats a hash map here.
  thread_local std::vector<ResourceGroup> groups;
  groups.clear();
  size_t last = 0;
  for (const Span& span : spans) {
    const Resource* resource = span.resource.get();
    if (groups.empty() || groups[last].resource != resource) {
      last = 0;
      while (last < groups.size() && groups[last].resource != resource) ++last;
      if (last == groups.size())
        groups.push_back(AddResourceSpans(resource, static_cast<int>(groups.size()), request));
    }
    ResourceGroup& group = groups[last];
    EncodeSpan(span, Slot(group.scope_spans->mutable_spans(), group.spans++));
  }
  for (ResourceGroup& group : groups) Truncate(group.scope_spans->mutable_spans(), group.spans);
  Truncate(request->mutable_resource_spans(), static_cast<int>(groups.size()));
}

}  // namespace zerotrace::otlp
