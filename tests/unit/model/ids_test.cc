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

TEST(Ids, HexEncodesLowercaseTwoCharsPerByte) {
  SpanId s = {0x00, 0x01, 0xab, 0xcd, 0xef, 0x10, 0x7f, 0xff};
  EXPECT_EQ(ToHex(s), "0001abcdef107fff");
  std::string out = "x";
  AppendHex(s, out);
  EXPECT_EQ(out, "x0001abcdef107fff");
}

TEST(Ids, HexRoundTrips) {
  TraceId t = NewTraceId();
  TraceId back{};
  ASSERT_TRUE(DecodeHex(ToHex(t), back));
  EXPECT_EQ(back, t);
}

TEST(Ids, DecodeHexRejectsWrongLengthAndNonHex) {
  SpanId s{};
  EXPECT_FALSE(DecodeHex("0001abcdef107ff", s));    // 15 chars
  EXPECT_FALSE(DecodeHex("0001abcdef107fff0", s));  // 17 chars
  EXPECT_FALSE(DecodeHex("0001abcdef107ffg", s));
  EXPECT_FALSE(DecodeHex("0001abcdef107ff-", s));
}

TEST(Ids, DecodeHexCaseRule) {
  SpanId s{};
  EXPECT_TRUE(DecodeHex("0001ABCDEF107FFF", s, HexCase::kAny));
  EXPECT_EQ(ToHex(s), "0001abcdef107fff");
  EXPECT_FALSE(DecodeHex("0001ABCDEF107FFF", s, HexCase::kLowerOnly));
  EXPECT_TRUE(DecodeHex("0001abcdef107fff", s, HexCase::kLowerOnly));
}

}  // namespace
}  // namespace zerotrace
