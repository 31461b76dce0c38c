#include "agent/model/ids.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace zerotrace {
namespace {

TEST(Ids, NewIdsAreNonZeroAndDistinct) {
  std::set<TraceId> traces;
  std::set<SpanId> spans;
  for (int i = 0; i < 10000; ++i) {
    TraceId t = NewTraceId();
    SpanId s = NewSpanId();
    EXPECT_FALSE(IsAllZero(t));
    EXPECT_FALSE(IsAllZero(s));
    traces.insert(t);
    spans.insert(s);
  }
  EXPECT_EQ(traces.size(), 10000u);
  EXPECT_EQ(spans.size(), 10000u);
}

TEST(Ids, ThreadsDoNotShareASequence) {
  SpanId a{}, b{};
  std::thread ta([&] { a = NewSpanId(); });
  std::thread tb([&] { b = NewSpanId(); });
  ta.join();
  tb.join();
  EXPECT_NE(a, b);
}

TEST(Ids, TraceIdUsesAllSixteenBytes) {
  // A generator filling only the first 8 bytes would leave the tail zero.
  bool tail_nonzero = false;
  for (int i = 0; i < 16 && !tail_nonzero; ++i) {
    TraceId t = NewTraceId();
    tail_nonzero = !IsAllZero(std::span<const uint8_t>(t).subspan(8));
  }
  EXPECT_TRUE(tail_nonzero);
}

TEST(Ids, IsAllZero) {
  EXPECT_TRUE(IsAllZero(TraceId{}));
  SpanId s{};
  s[7] = 1;
  EXPECT_FALSE(IsAllZero(s));
}

}  // namespace
}  // namespace zerotrace
