#include "agent/model/traceparent.h"

#include <gtest/gtest.h>

#include "agent/model/ids.h"

namespace zerotrace {
namespace {

constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceParent, ParsesTheSpecExample) {
  auto tp = ParseTraceParent(kValid);
  ASSERT_TRUE(tp);
  EXPECT_EQ(ToHex(tp->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ToHex(tp->parent_id), "00f067aa0ba902b7");
  EXPECT_EQ(tp->flags, 0x01);
  EXPECT_TRUE(tp->sampled());
}

TEST(TraceParent, UnsampledFlagsAndUnknownFlagBitsAreKept) {
  auto tp = ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(tp);
  EXPECT_FALSE(tp->sampled());
  tp = ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09");
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->flags, 0x09);
}

TEST(TraceParent, SurroundingWhitespaceIsIgnored) {
  EXPECT_TRUE(ParseTraceParent(std::string(" \t") + std::string(kValid) + " "));
}

TEST(TraceParent, RejectsWrongLengths) {
  EXPECT_FALSE(ParseTraceParent(""));
  EXPECT_FALSE(ParseTraceParent(kValid.substr(0, 54)));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"));   // short trace id
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01"));   // short parent
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1"));   // short flags
  EXPECT_FALSE(ParseTraceParent("0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));   // short version
}

TEST(TraceParent, Version00WithTrailingDataIsInvalid) {
  EXPECT_FALSE(ParseTraceParent(std::string(kValid) + "-extra"));
  EXPECT_FALSE(ParseTraceParent(std::string(kValid) + "0"));
}

TEST(TraceParent, RejectsWrongSeparators) {
  EXPECT_FALSE(ParseTraceParent("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01"));
}

TEST(TraceParent, RejectsUppercaseHexAnywhere) {
  EXPECT_FALSE(ParseTraceParent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01"));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A"));
  EXPECT_FALSE(ParseTraceParent("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(TraceParent, RejectsNonHex) {
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01"));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x"));
}

TEST(TraceParent, AllZeroTraceIdOrParentIdIsInvalid) {
  EXPECT_FALSE(ParseTraceParent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
  EXPECT_FALSE(ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
}

TEST(TraceParent, VersionFfIsInvalid) {
  EXPECT_FALSE(ParseTraceParent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

TEST(TraceParent, FutureVersionIsAcceptedWhenItsPrefixParses) {
  auto tp = ParseTraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(tp);
  EXPECT_EQ(ToHex(tp->parent_id), "00f067aa0ba902b7");
  EXPECT_TRUE(ParseTraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"));
}

TEST(TraceParent, FutureVersionExtraDataMustStartWithDash) {
  EXPECT_FALSE(ParseTraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"));
  EXPECT_FALSE(ParseTraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"));
}

TEST(TraceParent, FormatRoundTrips) {
  TraceId t = NewTraceId();
  SpanId s = NewSpanId();
  std::string text = FormatTraceParent(t, s, 0x01);
  EXPECT_EQ(text.size(), 55u);
  EXPECT_TRUE(text.starts_with("00-"));
  EXPECT_TRUE(text.ends_with("-01"));
  auto tp = ParseTraceParent(text);
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->trace_id, t);
  EXPECT_EQ(tp->parent_id, s);
}

TEST(TraceState, CarriedAsIsButTrimmed) {
  EXPECT_EQ(NormalizeTraceState("  rojo=00f067aa0ba902b7,congo=t61rcWkgMzE\t"),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  EXPECT_EQ(NormalizeTraceState(""), "");
}

TEST(TraceState, LongValueIsCutToWholeMembersWithin512) {
  std::string value;
  for (int i = 0; value.size() < 700; ++i) {
    if (!value.empty()) value += ',';
    value += "vendor" + std::to_string(i) + "=" + std::string(20, 'x');
  }
  std::string_view out = NormalizeTraceState(value);
  EXPECT_LE(out.size(), kMaxTraceStateBytes);
  EXPECT_GT(out.size(), 400u);
  EXPECT_TRUE(value.starts_with(out));
  EXPECT_EQ(value[out.size()], ',');  // cut at a member boundary
}

TEST(TraceState, ExactlyAtCapIsKept) {
  std::string value = "k=" + std::string(kMaxTraceStateBytes - 2, 'v');
  EXPECT_EQ(NormalizeTraceState(value), value);
}

TEST(TraceState, OneOverlongMemberIsDropped) {
  EXPECT_EQ(NormalizeTraceState("k=" + std::string(600, 'v')), "");
}

}  // namespace
}  // namespace zerotrace
