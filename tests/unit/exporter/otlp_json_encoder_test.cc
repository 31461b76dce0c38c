// OTLP/JSON encoder: the JSON must decode to the very request the protobuf
// encoder builds, and follow the OTLP JSON mapping's own rules (hex ids,
// integer enums, 64-bit integers as strings).
#include "exporter/otlp/otlp_json_encoder.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "agent/model/ids.h"
#include "exporter/otlp/otlp_encoder.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;
using namespace zerotrace::testing;

// --- Reading the JSON back ---------------------------------------------------

Struct ParseJson(const std::string& json) {
  Struct root;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &root);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return root;
}

const Value& Field(const Struct& object, const std::string& name) {
  static const Value kMissing;
  const auto it = object.fields().find(name);
  EXPECT_NE(it, object.fields().end()) << "no field " << name;
  return it == object.fields().end() ? kMissing : it->second;
}

bool Has(const Struct& object, const std::string& name) { return object.fields().contains(name); }

const Struct& Object(const Struct& object, const std::string& name) { return Field(object, name).struct_value(); }

const Struct& Element(const Struct& object, const std::string& list, int index) {
  static const Struct kMissing;
  const ListValue& values = Field(object, list).list_value();
  EXPECT_LT(index, values.values_size()) << list << "[" << index << "]";
  return index < values.values_size() ? values.values(index).struct_value() : kMissing;
}

const Struct& FirstSpan(const Struct& root) {
  return Element(Element(Element(root, "resourceSpans", 0), "scopeSpans", 0), "spans", 0);
}

// The AnyValue of attribute `key` in an "attributes" list.
const Struct& AttributeValue(const Struct& owner, const std::string& key) {
  static const Struct kMissing;
  for (const Value& kv : Field(owner, "attributes").list_value().values())
    if (Field(kv.struct_value(), "key").string_value() == key) return Object(kv.struct_value(), "value");
  ADD_FAILURE() << "no attribute " << key;
  return kMissing;
}

std::string EncodeJson(const std::vector<Span>& spans) {
  std::string json;
  EncodeExportRequestJson(spans, &json);
  return json;
}

// --- Equivalence with the protobuf encoder -------------------------------------

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string text;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 2]);
    text.push_back(kAlphabet[(group >> 18) & 63]);
    text.push_back(kAlphabet[(group >> 12) & 63]);
    text.push_back(i + 1 < bytes.size() ? kAlphabet[(group >> 6) & 63] : '=');
    text.push_back(i + 2 < bytes.size() ? kAlphabet[group & 63] : '=');
  }
  return text;
}

// OTLP writes ids as hex where proto3 JSON expects base64: rewrite them so
// protobuf's own JSON parser can read the request.
void HexIdsToBase64(Value* value);
void HexIdsToBase64(Struct* object) {
  for (auto& [name, value] : *object->mutable_fields()) {
    if (name == "traceId" || name == "spanId" || name == "parentSpanId") {
      std::string bytes(value.string_value().size() / 2, '\0');
      EXPECT_TRUE(DecodeHex(value.string_value(),
                            {reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()}, HexCase::kLowerOnly))
          << name << ": " << value.string_value();
      value.set_string_value(Base64(bytes));
    } else {
      HexIdsToBase64(&value);
    }
  }
}
void HexIdsToBase64(Value* value) {
  if (value->has_struct_value()) HexIdsToBase64(value->mutable_struct_value());
  if (value->has_list_value())
    for (Value& element : *value->mutable_list_value()->mutable_values()) HexIdsToBase64(&element);
}

ExportTraceServiceRequest DecodeOtlpJson(const std::string& json) {
  Struct root = ParseJson(json);
  HexIdsToBase64(&root);
  std::string proto3_json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(root, &proto3_json).ok());
  ExportTraceServiceRequest request;
  // Strict: an unknown (misspelt) field name is an error.
  const auto status = google::protobuf::util::JsonStringToMessage(proto3_json, &request);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return request;
}

void ExpectSameRequest(const std::vector<Span>& spans) {
  ExportTraceServiceRequest expected;
  EncodeExportRequest(spans, &expected);
  const ExportTraceServiceRequest decoded = DecodeOtlpJson(EncodeJson(spans));

  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(expected, decoded)) << differences;
}

std::vector<Span> MixedBatch() {
  auto python = MakeResource(1234, "python3");
  auto nginx = MakeResource(77, "nginx");
  auto fields_only = std::make_shared<Resource>();  // attributes come from pid / service_name
  fields_only->pid = 9;
  fields_only->service_name = "from-fields";
  auto empty = std::make_shared<Resource>();

  std::vector<Span> spans;
  spans.push_back(MakeHttpSpan(0xA0, 0x10, python));
  Span child = MakeHttpSpan(0xA0, 0x20, nginx, "GET /upstream", kT0 + 1000, 5'000'000, 503);
  child.kind = SpanKind::kClient;
  child.parent_span_id = MakeSpanId(0x10);
  child.trace_state = "vendor=value,other=1";
  child.status_message = "upstream \"unavailable\"";
  spans.push_back(child);
  Span typed = MakeHttpSpan(0xB0, 0x30, python, "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80");
  typed.status = StatusCode::kOk;
  typed.attributes.push_back({"retry", true});
  typed.attributes.push_back({"cached", false});
  typed.attributes.push_back({"empty", std::string()});
  typed.attributes.push_back({"zero", int64_t{0}});
  typed.attributes.push_back({"min", std::numeric_limits<int64_t>::min()});
  typed.attributes.push_back({"max", std::numeric_limits<int64_t>::max()});
  typed.attributes.push_back({"ratio", 0.1});
  typed.attributes.push_back({"third", 1.0 / 3});
  typed.attributes.push_back({"huge", 1e300});
  typed.attributes.push_back({"tiny", 5e-324});
  typed.attributes.push_back({"double_zero", 0.0});
  typed.attributes.push_back({"nan", std::numeric_limits<double>::quiet_NaN()});
  typed.attributes.push_back({"inf", std::numeric_limits<double>::infinity()});
  typed.attributes.push_back({"-inf", -std::numeric_limits<double>::infinity()});
  typed.attributes.push_back({"tab\tkey", std::string("line\nbreak \x01 \\ \x7f")});
  spans.push_back(typed);
  Span bare;  // every field at its default, no Resource
  bare.trace_id = MakeTraceId(0xC0);
  bare.span_id = MakeSpanId(0x40);
  spans.push_back(bare);
  Span message_only = MakeHttpSpan(0xD0, 0x50, fields_only);
  message_only.status_message = "unset status, but a message";
  message_only.kind = SpanKind::kInternal;
  message_only.end_unix_ns = std::numeric_limits<uint64_t>::max();
  spans.push_back(message_only);
  spans.push_back(MakeHttpSpan(0xE0, 0x60, empty));
  spans.push_back(MakeHttpSpan(0xA0, 0x70, python));  // back to the first Resource
  return spans;
}

TEST(OtlpJsonEncoder, DecodesToTheProtobufEncodersRequest) { ExpectSameRequest(MixedBatch()); }

TEST(OtlpJsonEncoder, DecodesToTheProtobufEncodersRequestForOneSpan) {
  ExpectSameRequest({MakeHttpSpan(0x01, 0x02, MakeResource(1, "a"))});
}

TEST(OtlpJsonEncoder, EmptyBatchIsAnEmptyRequest) {
  EXPECT_EQ(EncodeJson({}), "{}");
  ExpectSameRequest({});
}

// --- The OTLP JSON mapping's rules ---------------------------------------------

TEST(OtlpJsonEncoder, IdsAreLowercaseHex) {
  Span span = MakeHttpSpan(0xA0, 0xF0, MakeResource(1, "a"));
  span.parent_span_id = MakeSpanId(0xDA);
  const Struct root = ParseJson(EncodeJson({span}));
  const Struct& out = FirstSpan(root);
  EXPECT_EQ(Field(out, "traceId").string_value(), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  EXPECT_EQ(Field(out, "spanId").string_value(), "f0f1f2f3f4f5f6f7");
  EXPECT_EQ(Field(out, "parentSpanId").string_value(), "dadbdcdddedfe0e1");
}

TEST(OtlpJsonEncoder, EnumsAndFlagsAreIntegersAndTimesAreStrings) {
  Span span = MakeHttpSpan(0xA0, 0x10, MakeResource(1, "a"), "GET /", kT0, 12'500'000, 503);
  const std::string json = EncodeJson({span});
  const Struct root = ParseJson(json);
  const Struct& out = FirstSpan(root);
  ASSERT_EQ(Field(out, "kind").kind_case(), Value::kNumberValue);
  EXPECT_EQ(Field(out, "kind").number_value(), 2);  // SPAN_KIND_SERVER
  ASSERT_EQ(Field(out, "flags").kind_case(), Value::kNumberValue);
  EXPECT_EQ(Field(out, "flags").number_value(), 1);  // sampled
  const Struct& status = Object(out, "status");
  ASSERT_EQ(Field(status, "code").kind_case(), Value::kNumberValue);
  EXPECT_EQ(Field(status, "code").number_value(), 2);  // STATUS_CODE_ERROR
  EXPECT_FALSE(Has(status, "message"));
  ASSERT_EQ(Field(out, "startTimeUnixNano").kind_case(), Value::kStringValue);
  EXPECT_EQ(Field(out, "startTimeUnixNano").string_value(), "1700000000000000000");
  EXPECT_EQ(Field(out, "endTimeUnixNano").string_value(), "1700000000012500000");
  // Numbers written as bare integers, not 2.0 or "2".
  EXPECT_NE(json.find("\"kind\":2,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"code\":2}"), std::string::npos) << json;
}

TEST(OtlpJsonEncoder, AttributeValuesKeepTheirType) {
  Span span = MakeHttpSpan(0xA0, 0x10, MakeResource(1, "a"));
  span.attributes = {{"s", std::string("text")},
                     {"i", int64_t{-9'007'199'254'740'993}},  // not exact as a double
                     {"t", true},
                     {"f", false},
                     {"d", 0.1},
                     {"nan", std::numeric_limits<double>::quiet_NaN()},
                     {"inf", std::numeric_limits<double>::infinity()},
                     {"-inf", -std::numeric_limits<double>::infinity()}};
  const std::string json = EncodeJson({span});
  const Struct root = ParseJson(json);
  const Struct& out = FirstSpan(root);
  EXPECT_EQ(Field(AttributeValue(out, "s"), "stringValue").string_value(), "text");
  ASSERT_EQ(Field(AttributeValue(out, "i"), "intValue").kind_case(), Value::kStringValue);
  EXPECT_EQ(Field(AttributeValue(out, "i"), "intValue").string_value(), "-9007199254740993");
  ASSERT_EQ(Field(AttributeValue(out, "t"), "boolValue").kind_case(), Value::kBoolValue);
  EXPECT_TRUE(Field(AttributeValue(out, "t"), "boolValue").bool_value());
  ASSERT_EQ(Field(AttributeValue(out, "f"), "boolValue").kind_case(), Value::kBoolValue);
  EXPECT_FALSE(Field(AttributeValue(out, "f"), "boolValue").bool_value());
  ASSERT_EQ(Field(AttributeValue(out, "d"), "doubleValue").kind_case(), Value::kNumberValue);
  EXPECT_EQ(Field(AttributeValue(out, "d"), "doubleValue").number_value(), 0.1);
  EXPECT_NE(json.find("{\"doubleValue\":0.1}"), std::string::npos) << json;  // shortest exact form
  EXPECT_EQ(Field(AttributeValue(out, "nan"), "doubleValue").string_value(), "NaN");
  EXPECT_EQ(Field(AttributeValue(out, "inf"), "doubleValue").string_value(), "Infinity");
  EXPECT_EQ(Field(AttributeValue(out, "-inf"), "doubleValue").string_value(), "-Infinity");
}

TEST(OtlpJsonEncoder, ResourceAttributesIncludeTheStructFields) {
  auto resource = std::make_shared<Resource>();
  resource->pid = 4321;
  resource->service_name = "worker";
  const Struct root = ParseJson(EncodeJson({MakeHttpSpan(1, 2, resource)}));
  const Struct& out = Object(Element(root, "resourceSpans", 0), "resource");
  EXPECT_EQ(Field(AttributeValue(out, "service.name"), "stringValue").string_value(), "worker");
  EXPECT_EQ(Field(AttributeValue(out, "process.pid"), "intValue").string_value(), "4321");
}

TEST(OtlpJsonEncoder, ScopeIsZerotraceAndItsVersion) {
  const Struct root = ParseJson(EncodeJson({MakeHttpSpan(1, 2, MakeResource(1, "a"))}));
  const Struct& scope = Object(Element(Element(root, "resourceSpans", 0), "scopeSpans", 0), "scope");
  EXPECT_EQ(Field(scope, "name").string_value(), "zerotrace");
  EXPECT_EQ(Field(scope, "version").string_value(), ZEROTRACE_VERSION);
}

TEST(OtlpJsonEncoder, RootSpanLeavesOutEmptyFields) {
  Span span = MakeHttpSpan(0xA0, 0x10, MakeResource(1, "a"));  // no parent, trace state or status
  const Struct root = ParseJson(EncodeJson({span}));
  const Struct& out = FirstSpan(root);
  EXPECT_FALSE(Has(out, "parentSpanId"));
  EXPECT_FALSE(Has(out, "traceState"));
  EXPECT_FALSE(Has(out, "status"));
  EXPECT_TRUE(Has(out, "traceId"));
  EXPECT_TRUE(Has(out, "name"));
}

TEST(OtlpJsonEncoder, ChildSpanCarriesParentAndTraceState) {
  Span span = MakeHttpSpan(0xA0, 0x10, MakeResource(1, "a"));
  span.parent_span_id = MakeSpanId(0x20);
  span.trace_state = "k=v";
  span.status_message = "why";
  const Struct root = ParseJson(EncodeJson({span}));
  const Struct& out = FirstSpan(root);
  EXPECT_EQ(Field(out, "parentSpanId").string_value(), "2021222324252627");
  EXPECT_EQ(Field(out, "traceState").string_value(), "k=v");
  EXPECT_EQ(Field(Object(out, "status"), "message").string_value(), "why");
  EXPECT_FALSE(Has(Object(out, "status"), "code"));  // unset: the default
}

TEST(OtlpJsonEncoder, EscapesQuotesControlCharactersAndInvalidUtf8) {
  Span span = MakeHttpSpan(0xA0, 0x10, MakeResource(1, "a"), std::string("say \"hi\"\\\x01\n\xFF\xC3"));
  span.attributes = {{"k\"ey", std::string("\t\x1f\xE2\x82")}};
  const std::string json = EncodeJson({span});
  EXPECT_NE(json.find(R"("name":"say \"hi\"\\\u0001\n\ufffd\ufffd")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"({"key":"k\"ey","value":{"stringValue":"\t\u001f\ufffd\ufffd"}})"), std::string::npos)
      << json;
  const Struct root = ParseJson(json);  // valid JSON, valid UTF-8
  EXPECT_EQ(Field(FirstSpan(root), "name").string_value(), "say \"hi\"\\\x01\n\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(OtlpJsonEncoder, GroupsSpansByResourceInOrderOfFirstAppearance) {
  auto a = MakeResource(1, "a");
  auto b = MakeResource(2, "b");
  const std::vector<Span> spans = {MakeHttpSpan(1, 0x10, b), MakeHttpSpan(1, 0x20, a), MakeHttpSpan(1, 0x30, b),
                                   MakeHttpSpan(1, 0x40, nullptr), MakeHttpSpan(1, 0x50, a)};
  const Struct root = ParseJson(EncodeJson(spans));
  ASSERT_EQ(Field(root, "resourceSpans").list_value().values_size(), 3);

  const auto span_ids = [&](int group) {
    std::vector<std::string> ids;
    const Struct& scope_spans = Element(Element(root, "resourceSpans", group), "scopeSpans", 0);
    for (const Value& span : Field(scope_spans, "spans").list_value().values())
      ids.push_back(Field(span.struct_value(), "spanId").string_value().substr(0, 2));
    return ids;
  };
  const auto service = [&](int group) {
    return Field(AttributeValue(Object(Element(root, "resourceSpans", group), "resource"), "service.name"),
                 "stringValue")
        .string_value();
  };
  EXPECT_EQ(service(0), "b");
  EXPECT_EQ(span_ids(0), (std::vector<std::string>{"10", "30"}));
  EXPECT_EQ(service(1), "a");
  EXPECT_EQ(span_ids(1), (std::vector<std::string>{"20", "50"}));
  EXPECT_FALSE(Has(Element(root, "resourceSpans", 2), "resource"));  // spans without a Resource
  EXPECT_EQ(span_ids(2), (std::vector<std::string>{"40"}));
}

TEST(OtlpJsonEncoder, ReplacesThePreviousContentsOfTheBuffer) {
  std::string json;
  EncodeExportRequestJson(MixedBatch(), &json);
  const std::vector<Span> one = {MakeHttpSpan(1, 2, MakeResource(1, "a"))};
  EncodeExportRequestJson(one, &json);
  EXPECT_EQ(json, EncodeJson(one));
}

}  // namespace
}  // namespace zerotrace::otlp
