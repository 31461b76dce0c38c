// The generated OTLP classes must put every field at the number and wire
// type the OpenTelemetry specification gives it; a receiver decodes by
// number, so a wrong one silently loses data. The table below is copied
// from the specification, independently of our .proto files.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace {

using google::protobuf::FieldDescriptor;

struct ExpectedField {
  const char* message;
  const char* field;
  int number;
  FieldDescriptor::Type type;
};

constexpr auto kString = FieldDescriptor::TYPE_STRING;
constexpr auto kBytes = FieldDescriptor::TYPE_BYTES;
constexpr auto kMessage = FieldDescriptor::TYPE_MESSAGE;
constexpr auto kEnum = FieldDescriptor::TYPE_ENUM;

const ExpectedField kSpec[] = {
    {"opentelemetry.proto.common.v1.AnyValue", "string_value", 1, kString},
    {"opentelemetry.proto.common.v1.AnyValue", "bool_value", 2, FieldDescriptor::TYPE_BOOL},
    {"opentelemetry.proto.common.v1.AnyValue", "int_value", 3, FieldDescriptor::TYPE_INT64},
    {"opentelemetry.proto.common.v1.AnyValue", "double_value", 4, FieldDescriptor::TYPE_DOUBLE},
    {"opentelemetry.proto.common.v1.AnyValue", "array_value", 5, kMessage},
    {"opentelemetry.proto.common.v1.AnyValue", "kvlist_value", 6, kMessage},
    {"opentelemetry.proto.common.v1.AnyValue", "bytes_value", 7, kBytes},
    {"opentelemetry.proto.common.v1.ArrayValue", "values", 1, kMessage},
    {"opentelemetry.proto.common.v1.KeyValueList", "values", 1, kMessage},
    {"opentelemetry.proto.common.v1.KeyValue", "key", 1, kString},
    {"opentelemetry.proto.common.v1.KeyValue", "value", 2, kMessage},
    {"opentelemetry.proto.common.v1.InstrumentationScope", "name", 1, kString},
    {"opentelemetry.proto.common.v1.InstrumentationScope", "version", 2, kString},
    {"opentelemetry.proto.common.v1.InstrumentationScope", "attributes", 3, kMessage},
    {"opentelemetry.proto.common.v1.InstrumentationScope", "dropped_attributes_count", 4, FieldDescriptor::TYPE_UINT32},
    {"opentelemetry.proto.resource.v1.Resource", "attributes", 1, kMessage},
    {"opentelemetry.proto.resource.v1.Resource", "dropped_attributes_count", 2, FieldDescriptor::TYPE_UINT32},
    {"opentelemetry.proto.trace.v1.ResourceSpans", "resource", 1, kMessage},
    {"opentelemetry.proto.trace.v1.ResourceSpans", "scope_spans", 2, kMessage},
    {"opentelemetry.proto.trace.v1.ResourceSpans", "schema_url", 3, kString},
    {"opentelemetry.proto.trace.v1.ScopeSpans", "scope", 1, kMessage},
    {"opentelemetry.proto.trace.v1.ScopeSpans", "spans", 2, kMessage},
    {"opentelemetry.proto.trace.v1.ScopeSpans", "schema_url", 3, kString},
    {"opentelemetry.proto.trace.v1.Span", "trace_id", 1, kBytes},
    {"opentelemetry.proto.trace.v1.Span", "span_id", 2, kBytes},
    {"opentelemetry.proto.trace.v1.Span", "trace_state", 3, kString},
    {"opentelemetry.proto.trace.v1.Span", "parent_span_id", 4, kBytes},
    {"opentelemetry.proto.trace.v1.Span", "flags", 16, FieldDescriptor::TYPE_FIXED32},
    {"opentelemetry.proto.trace.v1.Span", "name", 5, kString},
    {"opentelemetry.proto.trace.v1.Span", "kind", 6, kEnum},
    {"opentelemetry.proto.trace.v1.Span", "start_time_unix_nano", 7, FieldDescriptor::TYPE_FIXED64},
    {"opentelemetry.proto.trace.v1.Span", "end_time_unix_nano", 8, FieldDescriptor::TYPE_FIXED64},
    {"opentelemetry.proto.trace.v1.Span", "attributes", 9, kMessage},
    {"opentelemetry.proto.trace.v1.Span", "dropped_attributes_count", 10, FieldDescriptor::TYPE_UINT32},
    {"opentelemetry.proto.trace.v1.Span", "events", 11, kMessage},
    {"opentelemetry.proto.trace.v1.Span", "dropped_events_count", 12, FieldDescriptor::TYPE_UINT32},
    {"opentelemetry.proto.trace.v1.Span", "links", 13, kMessage},
    {"opentelemetry.proto.trace.v1.Span", "dropped_links_count", 14, FieldDescriptor::TYPE_UINT32},
    {"opentelemetry.proto.trace.v1.Span", "status", 15, kMessage},
    {"opentelemetry.proto.trace.v1.Span.Event", "time_unix_nano", 1, FieldDescriptor::TYPE_FIXED64},
    {"opentelemetry.proto.trace.v1.Span.Event", "name", 2, kString},
    {"opentelemetry.proto.trace.v1.Span.Event", "attributes", 3, kMessage},
    {"opentelemetry.proto.trace.v1.Span.Event", "dropped_attributes_count", 4, FieldDescriptor::TYPE_UINT32},
    {"opentelemetry.proto.trace.v1.Span.Link", "trace_id", 1, kBytes},
    {"opentelemetry.proto.trace.v1.Span.Link", "span_id", 2, kBytes},
    {"opentelemetry.proto.trace.v1.Span.Link", "trace_state", 3, kString},
    {"opentelemetry.proto.trace.v1.Span.Link", "attributes", 4, kMessage},
    {"opentelemetry.proto.trace.v1.Span.Link", "dropped_attributes_count", 5, FieldDescriptor::TYPE_UINT32},
    {"opentelemetry.proto.trace.v1.Span.Link", "flags", 6, FieldDescriptor::TYPE_FIXED32},
    {"opentelemetry.proto.trace.v1.Status", "message", 2, kString},
    {"opentelemetry.proto.trace.v1.Status", "code", 3, kEnum},
    {"opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest", "resource_spans", 1, kMessage},
    {"opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse", "partial_success", 1, kMessage},
    {"opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess", "rejected_spans", 1, FieldDescriptor::TYPE_INT64},
    {"opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess", "error_message", 2, kString},
};

TEST(OtlpSchema, EveryFieldHasTheSpecNumberAndWireType) {
  // Touch the generated file so its descriptors are registered.
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const ExpectedField& expected : kSpec) {
    SCOPED_TRACE(std::string(expected.message) + "." + expected.field);
    const auto* message = pool->FindMessageTypeByName(expected.message);
    ASSERT_NE(message, nullptr);
    const FieldDescriptor* field = message->FindFieldByName(expected.field);
    ASSERT_NE(field, nullptr);
    EXPECT_EQ(field->number(), expected.number);
    EXPECT_EQ(field->type(), expected.type);
  }
}

TEST(OtlpSchema, EnumValuesMatchTheSpec) {
  using opentelemetry::proto::trace::v1::Span;
  using opentelemetry::proto::trace::v1::Status;
  EXPECT_EQ(Span::SPAN_KIND_UNSPECIFIED, 0);
  EXPECT_EQ(Span::SPAN_KIND_INTERNAL, 1);
  EXPECT_EQ(Span::SPAN_KIND_SERVER, 2);
  EXPECT_EQ(Span::SPAN_KIND_CLIENT, 3);
  EXPECT_EQ(Span::SPAN_KIND_PRODUCER, 4);
  EXPECT_EQ(Span::SPAN_KIND_CONSUMER, 5);
  EXPECT_EQ(Status::STATUS_CODE_UNSET, 0);
  EXPECT_EQ(Status::STATUS_CODE_OK, 1);
  EXPECT_EQ(Status::STATUS_CODE_ERROR, 2);
}

TEST(OtlpSchema, PackagesAreTheOfficialOnes) {
  using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
  EXPECT_EQ(ExportTraceServiceRequest::descriptor()->full_name(),
            "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
  EXPECT_EQ(opentelemetry::proto::trace::v1::Span::descriptor()->file()->name(),
            "opentelemetry/proto/trace/v1/trace.proto");
}

}  // namespace
