#include <gtest/gtest.h>

#include <sstream>

#include "exporter/console/console_sink.h"
#include "exporter/console/span_tree.h"
#include "exporter/console/waterfall_printer.h"
#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::console {
namespace {

using namespace std::chrono_literals;
using namespace zerotrace::testing;

constexpr uint64_t kMs = 1'000'000;

Span Child(uint8_t id, uint8_t parent, std::string name, uint64_t start_ms, uint64_t duration_ms,
           const std::shared_ptr<const Resource>& resource, SpanKind kind = SpanKind::kClient) {
  Span span = MakeHttpSpan(7, id, resource, std::move(name), kT0 + start_ms * kMs, duration_ms * kMs);
  if (parent != 0) span.parent_span_id = MakeSpanId(parent);
  span.kind = kind;
  return span;
}

// A trace in scrambled arrival order:
//   root (0-100)
//     call-b (10-40)   call-a starts later, so call-b comes first
//       db (15-35)     served by another process
//     call-a (50-90)
//   orphan: parent 0x99 was never seen
std::vector<Span> SampleTrace() {
  const auto api = MakeResource(10, "api");
  const auto db = MakeResource(20, "postgres");
  return {
      Child(0x40, 0x30, "db", 15, 20, db, SpanKind::kServer),
      Child(0x20, 0x10, "call-a", 50, 40, api),
      Child(0x10, 0, "root", 0, 100, api, SpanKind::kServer),
      Child(0x50, 0x99, "orphan", 60, 5, api),
      Child(0x30, 0x10, "call-b", 10, 30, api),
  };
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t Indent(const std::string& line) { return line.find_first_not_of(' '); }

TEST(SpanTree, ChildrenFollowTheirParentSortedByStartTime) {
  const auto spans = SampleTrace();
  std::vector<std::pair<std::string, size_t>> order;
  for (const SpanTreeRow& row : SpanTreeOrder(spans)) order.emplace_back(spans[row.index].name, row.depth);
  EXPECT_EQ(order, (std::vector<std::pair<std::string, size_t>>{
                       {"root", 0}, {"call-b", 1}, {"db", 2}, {"call-a", 1}, {"orphan", 0}}));
}

TEST(SpanTree, SpansOnAParentCycleAreStillListed) {
  const auto api = MakeResource(10, "api");
  const std::vector<Span> spans = {Child(0x10, 0x20, "a", 0, 10, api), Child(0x20, 0x10, "b", 5, 10, api)};
  const auto rows = SpanTreeOrder(spans);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(spans[rows[0].index].name, "a");
  EXPECT_EQ(rows[0].depth, 0u);
  EXPECT_EQ(spans[rows[1].index].name, "b");
}

TEST(WaterfallPrinter, PrintsHeaderThenIndentedTreeWithBars) {
  std::ostringstream out;
  WaterfallStyle style;
  style.bar_width = 20;
  PrintTraceWaterfall(SampleTrace(), style, out);
  const auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 6u) << out.str();
  EXPECT_EQ(lines[0], "trace 0708090a0b0c0d0e0f10111213141516  5 spans  100.000 ms");

  EXPECT_EQ(Indent(lines[1]), 2u);
  EXPECT_NE(lines[1].find("api SERVER root"), std::string::npos);
  EXPECT_EQ(Indent(lines[2]), 4u);
  EXPECT_NE(lines[2].find("api CLIENT call-b"), std::string::npos);
  EXPECT_EQ(Indent(lines[3]), 6u);
  EXPECT_NE(lines[3].find("postgres SERVER db"), std::string::npos);
  EXPECT_EQ(Indent(lines[4]), 4u);
  EXPECT_NE(lines[4].find("api CLIENT call-a"), std::string::npos);
  EXPECT_EQ(Indent(lines[5]), 2u);
  EXPECT_NE(lines[5].find("api CLIENT orphan"), std::string::npos);

  // Bars: 20 cells over 100 ms, 5 ms per cell.
  EXPECT_NE(lines[1].find("|####################|"), std::string::npos);
  EXPECT_NE(lines[2].find("|..######............|"), std::string::npos);
  EXPECT_NE(lines[4].find("|..........########..|"), std::string::npos);
  EXPECT_NE(lines[5].find("|............#.......|"), std::string::npos);
  EXPECT_NE(lines[1].find("200"), std::string::npos);
  EXPECT_NE(lines[1].find("100.000 ms"), std::string::npos);
  EXPECT_NE(lines[3].find("20.000 ms"), std::string::npos);

  // Columns line up whatever the depth.
  for (size_t i = 2; i < lines.size(); ++i) EXPECT_EQ(lines[i].find('|'), lines[1].find('|'));
}

TEST(WaterfallPrinter, ErrorsAreMarkedWithStatusCode) {
  const auto api = MakeResource(10, "api");
  std::vector<Span> spans = {MakeHttpSpan(7, 1, api, "GET /fail", kT0, 5 * kMs, 503)};
  std::ostringstream out;
  PrintTraceWaterfall(spans, {}, out);
  const auto lines = Lines(out.str());
  EXPECT_NE(lines[0].find("1 span "), std::string::npos);
  EXPECT_NE(lines[0].find("1 error"), std::string::npos);
  EXPECT_NE(lines[1].find("ERROR 503"), std::string::npos) << lines[1];
}

TEST(WaterfallPrinter, ColourOnlyWhenAsked) {
  std::ostringstream plain, coloured;
  PrintTraceWaterfall(SampleTrace(), {}, plain);
  WaterfallStyle style;
  style.color = true;
  PrintTraceWaterfall(SampleTrace(), style, coloured);
  EXPECT_EQ(plain.str().find('\x1b'), std::string::npos);
  EXPECT_NE(coloured.str().find("\x1b["), std::string::npos);
}

TEST(WaterfallPrinter, CapturedControlBytesCannotReachTheTerminal) {
  const auto api = MakeResource(10, "api");
  std::vector<Span> spans = {MakeHttpSpan(7, 1, api, "GET /\x1b]0;pwned\x07\xff", kT0, kMs)};
  std::ostringstream out;
  PrintTraceWaterfall(spans, {}, out);
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
  EXPECT_EQ(out.str().find('\x07'), std::string::npos);
  EXPECT_NE(out.str().find("GET /?]0;pwned??"), std::string::npos);
}

TEST(WaterfallPrinter, LongNamesAreCutToTheColumn) {
  const auto api = MakeResource(10, "api");
  std::vector<Span> spans = {MakeHttpSpan(7, 1, api, "GET /" + std::string(200, 'x'), kT0, kMs),
                             MakeHttpSpan(7, 2, api, "short", kT0, kMs)};
  std::ostringstream out;
  PrintTraceWaterfall(spans, {}, out);
  const auto lines = Lines(out.str());
  EXPECT_NE(lines[1].find("x~ "), std::string::npos);
  EXPECT_EQ(lines[1].find('|'), lines[2].find('|'));
}

ConsoleOptions Options(size_t max_pending_spans = 10000) {
  ConsoleOptions options;
  options.idle_timeout = 1s;
  options.max_pending_spans = max_pending_spans;
  return options;
}

constexpr uint64_t kNow = kT0 + 5'000 * kMs;
constexpr uint64_t kSecond = 1000 * kMs;

TEST(ConsoleSink, TraceIsPrintedOnceIdleForTheTimeout) {
  std::ostringstream out;
  ConsoleSink sink(out, Options());
  sink.Tick(kNow);
  for (Span& span : SampleTrace()) sink.Consume(std::move(span));
  sink.Tick(kNow + kSecond / 2);
  EXPECT_EQ(out.str(), "");
  sink.Tick(kNow + kSecond);
  EXPECT_NE(out.str().find("5 spans"), std::string::npos);
  EXPECT_EQ(sink.pending_spans(), 0u);
  EXPECT_EQ(sink.stats().exported.load(), 5u);
}

TEST(ConsoleSink, ANewSpanRestartsTheIdleClock) {
  std::ostringstream out;
  ConsoleSink sink(out, Options());
  auto spans = SampleTrace();
  sink.Tick(kNow);
  sink.Consume(spans[0]);
  sink.Tick(kNow + 800 * kMs);
  sink.Consume(spans[1]);
  sink.Tick(kNow + 1500 * kMs);
  EXPECT_EQ(out.str(), "");
  sink.Tick(kNow + 1800 * kMs);
  EXPECT_NE(out.str().find("2 spans"), std::string::npos);
}

TEST(ConsoleSink, SpansBeforeTheFirstTickWaitAFullTimeout) {
  std::ostringstream out;
  ConsoleSink sink(out, Options());
  sink.Consume(SampleTrace()[0]);
  sink.Tick(kNow);
  EXPECT_EQ(out.str(), "");
  sink.Tick(kNow + kSecond);
  EXPECT_NE(out.str().find("1 span"), std::string::npos);
}

TEST(ConsoleSink, ShutdownPrintsWhatIsPendingOldestFirst) {
  std::ostringstream out;
  ConsoleSink sink(out, Options());
  sink.Consume(MakeHttpSpan(1, 1, nullptr, "first-trace"));
  sink.Consume(MakeHttpSpan(2, 1, nullptr, "second-trace"));
  sink.Shutdown();
  const std::string text = out.str();
  ASSERT_NE(text.find("first-trace"), std::string::npos);
  EXPECT_LT(text.find("first-trace"), text.find("second-trace"));
}

TEST(ConsoleSink, OldestTracesArePrintedEarlyWhenTooManySpansWait) {
  std::ostringstream out;
  ConsoleSink sink(out, Options(/*max_pending_spans=*/3));
  sink.Consume(MakeHttpSpan(1, 1, nullptr, "old-1"));
  sink.Consume(MakeHttpSpan(1, 2, nullptr, "old-2"));
  sink.Consume(MakeHttpSpan(2, 1, nullptr, "new-1"));
  EXPECT_EQ(out.str(), "");
  sink.Consume(MakeHttpSpan(2, 2, nullptr, "new-2"));  // 4 > 3: the old trace goes out
  EXPECT_NE(out.str().find("old-2"), std::string::npos);
  EXPECT_EQ(out.str().find("new-1"), std::string::npos);
  EXPECT_EQ(sink.pending_spans(), 2u);
}

}  // namespace
}  // namespace zerotrace::console
