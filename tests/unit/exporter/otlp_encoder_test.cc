#include "exporter/otlp/otlp_encoder.h"

#include <gtest/gtest.h>

#include <vector>

#include "agent/model/ids.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace trace = opentelemetry::proto::trace::v1;
using namespace zerotrace::testing;

std::string BytesHex(const std::string& bytes) {
  return ToHex({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
}

const common::AnyValue* FindAttribute(const google::protobuf::RepeatedPtrField<common::KeyValue>& list,
                                      const std::string& key) {
  for (const auto& kv : list)
    if (kv.key() == key) return &kv.value();
  return nullptr;
}

// Encodes, serializes and parses back into a fresh message: what a receiver sees.
ExportTraceServiceRequest RoundTrip(const std::vector<Span>& spans) {
  ExportTraceServiceRequest request;
  EncodeExportRequest(spans, &request);
  std::string wire;
  EXPECT_TRUE(request.SerializeToString(&wire));
  ExportTraceServiceRequest decoded;
  EXPECT_TRUE(decoded.ParseFromString(wire));
  return decoded;
}

TEST(OtlpEncoder, RoundTripKeepsEverySpanField) {
  Span span = MakeHttpSpan(0xA0, 0x10, MakeResource(1234, "python3"), "GET /users/{id}", kT0, 12'500'000, 503);
  span.parent_span_id = MakeSpanId(0x20);
  span.trace_state = "vendor=value";
  span.status_message = "upstream unavailable";
  span.attributes.push_back({"retry", true});
  span.attributes.push_back({"ratio", 0.25});

  const ExportTraceServiceRequest decoded = RoundTrip({span});
  ASSERT_EQ(decoded.resource_spans_size(), 1);
  ASSERT_EQ(decoded.resource_spans(0).scope_spans_size(), 1);
  const trace::ScopeSpans& scope_spans = decoded.resource_spans(0).scope_spans(0);
  EXPECT_EQ(scope_spans.scope().name(), "zerotrace");
  EXPECT_EQ(scope_spans.scope().version(), ZEROTRACE_VERSION);
  ASSERT_EQ(scope_spans.spans_size(), 1);

  const trace::Span& out = scope_spans.spans(0);
  EXPECT_EQ(BytesHex(out.trace_id()), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  EXPECT_EQ(BytesHex(out.span_id()), "1011121314151617");
  EXPECT_EQ(BytesHex(out.parent_span_id()), "2021222324252627");
  EXPECT_EQ(out.trace_state(), "vendor=value");
  EXPECT_EQ(out.flags(), 0x01u);  // sampled
  EXPECT_EQ(out.name(), "GET /users/{id}");
  EXPECT_EQ(out.kind(), trace::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(out.start_time_unix_nano(), kT0);
  EXPECT_EQ(out.end_time_unix_nano(), kT0 + 12'500'000);
  EXPECT_EQ(out.status().code(), trace::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(out.status().message(), "upstream unavailable");

  ASSERT_EQ(out.attributes_size(), 12);
  EXPECT_EQ(out.attributes(0).key(), "http.request.method");  // order kept
  EXPECT_EQ(FindAttribute(out.attributes(), "http.request.method")->string_value(), "GET");
  const common::AnyValue* status_code = FindAttribute(out.attributes(), "http.response.status_code");
  ASSERT_TRUE(status_code->has_int_value());
  EXPECT_EQ(status_code->int_value(), 503);
  ASSERT_TRUE(FindAttribute(out.attributes(), "retry")->has_bool_value());
  EXPECT_TRUE(FindAttribute(out.attributes(), "retry")->bool_value());
  ASSERT_TRUE(FindAttribute(out.attributes(), "ratio")->has_double_value());
  EXPECT_EQ(FindAttribute(out.attributes(), "ratio")->double_value(), 0.25);

  const auto& resource = decoded.resource_spans(0).resource();
  EXPECT_EQ(FindAttribute(resource.attributes(), "service.name")->string_value(), "python3");
  EXPECT_EQ(FindAttribute(resource.attributes(), "process.pid")->int_value(), 1234);
  EXPECT_EQ(FindAttribute(resource.attributes(), "host.name")->string_value(), "node-1");
}

TEST(OtlpEncoder, RootSpanHasNoParentAndUnsetStatusIsOmitted) {
  const Span span = MakeHttpSpan(1, 2, MakeResource(1, "svc"));
  const trace::Span out = RoundTrip({span}).resource_spans(0).scope_spans(0).spans(0);
  EXPECT_TRUE(out.parent_span_id().empty());
  EXPECT_TRUE(out.trace_state().empty());
  EXPECT_FALSE(out.has_status());
}

TEST(OtlpEncoder, SpanKindsMapToOtlpValues) {
  std::vector<Span> spans;
  for (SpanKind kind : {SpanKind::kUnspecified, SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient}) {
    spans.push_back(MakeHttpSpan(1, static_cast<uint8_t>(spans.size()), nullptr));
    spans.back().kind = kind;
  }
  const auto decoded = RoundTrip(spans);
  const auto& out = decoded.resource_spans(0).scope_spans(0).spans();
  EXPECT_EQ(out[0].kind(), trace::Span::SPAN_KIND_UNSPECIFIED);
  EXPECT_EQ(out[1].kind(), trace::Span::SPAN_KIND_INTERNAL);
  EXPECT_EQ(out[2].kind(), trace::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(out[3].kind(), trace::Span::SPAN_KIND_CLIENT);
}

TEST(OtlpEncoder, GroupsSpansByResourceKeepingOrderWithinEach) {
  const auto python = MakeResource(100, "python3");
  const auto nginx = MakeResource(200, "nginx");
  const std::vector<Span> spans = {
      MakeHttpSpan(1, 0x01, python, "p1"), MakeHttpSpan(1, 0x02, nginx, "n1"),
      MakeHttpSpan(2, 0x03, python, "p2"), MakeHttpSpan(3, 0x04, nullptr, "orphan"),
      MakeHttpSpan(2, 0x05, nginx, "n2"),  MakeHttpSpan(3, 0x06, python, "p3"),
  };
  const auto decoded = RoundTrip(spans);
  ASSERT_EQ(decoded.resource_spans_size(), 3);

  auto names = [&](int i) {
    std::vector<std::string> out;
    for (const auto& s : decoded.resource_spans(i).scope_spans(0).spans()) out.push_back(s.name());
    return out;
  };
  auto pid = [&](int i) {
    const auto* value = FindAttribute(decoded.resource_spans(i).resource().attributes(), "process.pid");
    return value ? value->int_value() : -1;
  };
  EXPECT_EQ(pid(0), 100);
  EXPECT_EQ(names(0), (std::vector<std::string>{"p1", "p2", "p3"}));
  EXPECT_EQ(pid(1), 200);
  EXPECT_EQ(names(1), (std::vector<std::string>{"n1", "n2"}));
  EXPECT_FALSE(decoded.resource_spans(2).has_resource());  // spans without a Resource
  EXPECT_EQ(names(2), (std::vector<std::string>{"orphan"}));
  for (const auto& resource_spans : decoded.resource_spans()) {
    ASSERT_EQ(resource_spans.scope_spans_size(), 1);
    EXPECT_EQ(resource_spans.scope_spans(0).scope().name(), "zerotrace");
  }
}

TEST(OtlpEncoder, ResourceGetsServiceNameAndPidFromItsFieldsWhenAttributesLackThem) {
  auto bare = std::make_shared<Resource>();
  bare->pid = 77;
  bare->service_name = "java";
  const auto decoded = RoundTrip({MakeHttpSpan(1, 1, bare)});
  const auto& attributes = decoded.resource_spans(0).resource().attributes();
  ASSERT_EQ(attributes.size(), 2);
  EXPECT_EQ(FindAttribute(attributes, "service.name")->string_value(), "java");
  EXPECT_EQ(FindAttribute(attributes, "process.pid")->int_value(), 77);
}

TEST(OtlpEncoder, ReusedRequestHoldsOnlyTheLatestBatch) {
  ExportTraceServiceRequest request;
  const auto resource = MakeResource(1, "svc");
  EncodeExportRequest(std::vector<Span>{MakeHttpSpan(1, 1, resource, "a"), MakeHttpSpan(1, 2, resource, "b")},
                      &request);
  Span root = MakeHttpSpan(2, 3, MakeResource(2, "other"), "c");
  EncodeExportRequest(std::vector<Span>{root}, &request);

  std::string wire;
  request.SerializeToString(&wire);
  ExportTraceServiceRequest decoded;
  ASSERT_TRUE(decoded.ParseFromString(wire));
  ASSERT_EQ(decoded.resource_spans_size(), 1);
  ASSERT_EQ(decoded.resource_spans(0).scope_spans(0).spans_size(), 1);
  const auto& span = decoded.resource_spans(0).scope_spans(0).spans(0);
  EXPECT_EQ(span.name(), "c");
  EXPECT_TRUE(span.parent_span_id().empty());
  EXPECT_EQ(span.attributes_size(), 10);
}

// The encoder overwrites the previous batch's messages in place (no
// reallocation per batch): nothing of the earlier batch may survive.
TEST(OtlpEncoder, ReusedRequestEncodesExactlyAsAFreshOne) {
  const auto a = MakeResource(1, "a"), b = MakeResource(2, "b"), c = MakeResource(3, "c");
  Span traced = MakeHttpSpan(1, 1, a, "GET /x", kT0, 1000, 503);
  traced.trace_state = "vendor=1";
  traced.attributes.push_back({"extra.flag", true});
  traced.attributes.push_back({"extra.ratio", 0.5});
  std::vector<Span> first = {traced, MakeHttpSpan(2, 2, b, "GET /y"), MakeHttpSpan(3, 3, c, "GET /z"),
                             MakeHttpSpan(4, 4, a, "GET /w")};
  Span plain = MakeHttpSpan(5, 5, b, "POST /v", kT0, 10, 200);
  plain.parent_span_id = {};
  plain.status = StatusCode::kUnset;
  plain.attributes.resize(3);
  plain.attributes[0].value = int64_t{7};  // a string in the first batch's slot
  std::vector<Span> second = {plain, MakeHttpSpan(6, 6, b, "GET /u")};

  ExportTraceServiceRequest reused, fresh;
  EncodeExportRequest(first, &reused);
  EncodeExportRequest(second, &reused);
  EncodeExportRequest(second, &fresh);
  std::string reused_wire, fresh_wire;
  ASSERT_TRUE(reused.SerializeToString(&reused_wire));
  ASSERT_TRUE(fresh.SerializeToString(&fresh_wire));
  EXPECT_EQ(BytesHex(reused_wire), BytesHex(fresh_wire));
  EncodeExportRequest(first, &reused);  // and back to the larger batch
  EncodeExportRequest(first, &fresh);
  ASSERT_TRUE(reused.SerializeToString(&reused_wire));
  ASSERT_TRUE(fresh.SerializeToString(&fresh_wire));
  EXPECT_EQ(BytesHex(reused_wire), BytesHex(fresh_wire));
}

TEST(OtlpEncoder, EmptyBatchEncodesAnEmptyRequest) {
  EXPECT_EQ(RoundTrip({}).resource_spans_size(), 0);
}

}  // namespace
}  // namespace zerotrace::otlp
