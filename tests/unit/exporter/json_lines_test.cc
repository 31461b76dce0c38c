#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "exporter/jsonl/json_escape.h"
#include "exporter/jsonl/jsonl_sink.h"
#include "exporter/jsonl/span_json.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::jsonl {
namespace {

using namespace zerotrace::testing;

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

TEST(JsonEscape, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(Quoted(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
}

TEST(JsonEscape, ControlCharactersAreEscaped) {
  EXPECT_EQ(Quoted("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(Quoted(std::string("\x00\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(Quoted("\x1b[31mred"), R"("\u001b[31mred")");
}

TEST(JsonEscape, WellFormedUtf8IsKept) {
  EXPECT_EQ(Quoted("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonEscape, EachInvalidUtf8ByteBecomesAReplacementCharacter) {
  EXPECT_EQ(Quoted("a\xff" "b"), R"("a\ufffdb")");                // never valid in UTF-8
  EXPECT_EQ(Quoted("\x80"), R"("\ufffd")");                       // stray continuation
  EXPECT_EQ(Quoted("\xe2\x82"), R"("\ufffd\ufffd")");             // truncated at the end
  EXPECT_EQ(Quoted("\xe2\x82x"), R"("\ufffd\ufffdx")");           // truncated in the middle
  EXPECT_EQ(Quoted("\xc0\xaf"), R"("\ufffd\ufffd")");             // overlong '/'
  EXPECT_EQ(Quoted("\xe0\x80\xaf"), R"("\ufffd\ufffd\ufffd")");   // overlong 3-byte
  EXPECT_EQ(Quoted("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");   // UTF-16 surrogate
  EXPECT_EQ(Quoted("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
}

TEST(JsonEscape, EmptyString) { EXPECT_EQ(Quoted(""), R"("")"); }

TEST(SpanJson, WritesTheDocumentedSchemaOnOneLine) {
  Span span = MakeHttpSpan(0xA0, 0x10, MakeResource(1234, "python3"));
  span.parent_span_id = MakeSpanId(0x20);
  span.trace_state = "k=v";
  span.status = StatusCode::kError;
  span.status_message = "boom \"x\"";
  span.attributes = {{"http.request.method", std::string("GET")},
                     {"http.response.status_code", int64_t{200}},
                     {"retry", false},
                     {"ratio", 0.5}};
  std::string line;
  AppendSpanJsonLine(span, &line);
  EXPECT_EQ(line,
            R"({"trace_id":"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf","span_id":"1011121314151617",)"
            R"("parent_span_id":"2021222324252627","trace_state":"k=v","name":"GET /users/{id}",)"
            R"("kind":"SERVER","start_time_unix_nano":1700000000000000000,)"
            R"("end_time_unix_nano":1700000000012500000,"duration_ms":12.500,"status":"ERROR",)"
            R"("status_message":"boom \"x\"","attributes":{"http.request.method":"GET",)"
            R"("http.response.status_code":200,"retry":false,"ratio":0.5},)"
            R"("resource":{"service.name":"python3","process.pid":1234,"host.name":"node-1"}})"
            "\n");
}

TEST(SpanJson, RootSpanHasEmptyParentAndNamesForKindAndStatus) {
  Span span = MakeHttpSpan(1, 2, nullptr);
  span.kind = SpanKind::kClient;
  span.status = StatusCode::kUnset;
  std::string line;
  AppendSpanJsonLine(span, &line);
  EXPECT_NE(line.find(R"("parent_span_id":"")"), std::string::npos);
  EXPECT_NE(line.find(R"("kind":"CLIENT")"), std::string::npos);
  EXPECT_NE(line.find(R"("status":"UNSET")"), std::string::npos);
  EXPECT_NE(line.find(R"("resource":{}})"), std::string::npos);
  EXPECT_EQ(SpanKindName(SpanKind::kInternal), std::string("INTERNAL"));
  EXPECT_EQ(SpanKindName(SpanKind::kUnspecified), std::string("UNSPECIFIED"));
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), std::string("OK"));
}

TEST(SpanJson, NonFiniteDoublesBecomeNull) {
  Span span = MakeHttpSpan(1, 2, nullptr);
  span.attributes = {{"nan", std::nan("")}, {"inf", HUGE_VAL}};
  std::string line;
  AppendSpanJsonLine(span, &line);
  EXPECT_NE(line.find(R"("attributes":{"nan":null,"inf":null})"), std::string::npos);
}

TEST(SpanJson, CapturedBytesInNamesAndValuesStayValidJson) {
  Span span = MakeHttpSpan(1, 2, nullptr, "GET /\xff\n\"x\"");
  span.attributes = {{"url.path\x01", std::string("/a\xc3(")}};
  std::string line;
  AppendSpanJsonLine(span, &line);
  EXPECT_NE(line.find(R"("name":"GET /\ufffd\n\"x\"")"), std::string::npos);
  EXPECT_NE(line.find(R"("attributes":{"url.path\u0001":"/a\ufffd("})"), std::string::npos);
  EXPECT_EQ(line.find('\n'), line.size() - 1);  // exactly one line
}

class JsonLinesSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("zt_jsonl_" + std::to_string(getpid()) + ".jsonl");
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::vector<std::string> Lines() const {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::filesystem::path path_;
};

TEST_F(JsonLinesSinkTest, EachSpanIsReadableAsSoonAsItIsConsumed) {
  JsonLinesSink sink(path_.string());
  sink.Consume(MakeHttpSpan(1, 1, nullptr, "first"));
  ASSERT_EQ(Lines().size(), 1u);  // flushed without Shutdown
  sink.Consume(MakeHttpSpan(1, 2, nullptr, "second"));
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find(R"("name":"second")"), std::string::npos);
  EXPECT_EQ(sink.stats().exported.load(), 2u);
}

TEST_F(JsonLinesSinkTest, AppendsToAnExistingFile) {
  { std::ofstream(path_) << "{\"earlier\":true}\n"; }
  JsonLinesSink sink(path_.string());
  sink.Consume(MakeHttpSpan(1, 1, nullptr));
  EXPECT_EQ(Lines().size(), 2u);
}

TEST_F(JsonLinesSinkTest, UnopenablePathThrowsAOneLineReason) {
  try {
    JsonLinesSink sink("/nonexistent-dir/spans.jsonl");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent-dir/spans.jsonl"), std::string::npos);
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
  }
}

TEST(JsonLinesSink, WriteErrorsAreCountedAsFailed) {
  std::FILE* full = std::fopen("/dev/full", "w");
  if (full == nullptr) GTEST_SKIP() << "no /dev/full";
  {
    JsonLinesSink sink(full);
    sink.Consume(MakeHttpSpan(1, 1, nullptr));
    EXPECT_EQ(sink.stats().failed.load(), 1u);
    EXPECT_EQ(sink.stats().exported.load(), 0u);
  }
  std::fclose(full);
}

}  // namespace
}  // namespace zerotrace::jsonl
