#include "agent/protocols/http1/query_redaction.h"

#include <gtest/gtest.h>

namespace zerotrace {
namespace {

std::string Redacted(std::string_view q, size_t max = 1024) {
  std::string out;
  AppendQuery(q, true, max, out);
  return out;
}

TEST(QueryRedaction, EveryValueIsRedacted) {
  EXPECT_EQ(Redacted("a=1&b=secret"), "a=REDACTED&b=REDACTED");
  EXPECT_EQ(Redacted("token=abc%20def"), "token=REDACTED");
}

TEST(QueryRedaction, EmptyValueStillMarked) { EXPECT_EQ(Redacted("a=&b=2"), "a=REDACTED&b=REDACTED"); }

TEST(QueryRedaction, BareNamesAreKept) { EXPECT_EQ(Redacted("debug&a=1&&x"), "debug&a=REDACTED&&x"); }

TEST(QueryRedaction, OnlyTheFirstEqualsSplits) {
  // "a=b=c": the whole "b=c" is the value.
  EXPECT_EQ(Redacted("a=b=c"), "a=REDACTED");
}

TEST(QueryRedaction, SemicolonIsNotASeparatorSoNothingLeaks) {
  EXPECT_EQ(Redacted("a=1;b=2"), "a=REDACTED");
}

TEST(QueryRedaction, CapNeverExposesAValue) {
  std::string out = Redacted("averyveryverylongkey=topsecret", 22);
  EXPECT_LE(out.size(), 22u);
  EXPECT_EQ(out.find("topsecret"), std::string::npos);
  EXPECT_EQ(out, "averyveryverylongkey=R");
}

TEST(QueryRedaction, DisabledKeepsValues) {
  std::string out;
  AppendQuery("a=1&b=two", false, 1024, out);
  EXPECT_EQ(out, "a=1&b=two");
}

TEST(QueryRedaction, NonPrintableBytesAreEscaped) {
  std::string out;
  AppendQuery("q=caf\xc3\xa9 x", false, 1024, out);
  EXPECT_EQ(out, "q=caf%C3%A9%20x");
  EXPECT_EQ(Redacted("k\x01=v"), "k%01=REDACTED");
}

TEST(QueryRedaction, AppendsToExistingOutput) {
  std::string out = "http://h/p?";
  AppendQuery("a=1", true, 100, out);
  EXPECT_EQ(out, "http://h/p?a=REDACTED");
}

}  // namespace
}  // namespace zerotrace
