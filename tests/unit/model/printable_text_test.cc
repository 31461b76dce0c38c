#include "agent/model/printable_text.h"

#include <gtest/gtest.h>

namespace zerotrace {
namespace {

TEST(Printable, ReplacesControlAndNonAsciiBytes) {
  std::string out;
  AppendPrintable("a\tb\x7f\xff c~", 100, out);
  EXPECT_EQ(out, "a_b__ c~");
}

TEST(Printable, CapsAndLeavesEarlierOutputAlone) {
  std::string out = "\x01";
  AppendPrintable("abcdef", 3, out);
  EXPECT_EQ(out, "\x01" "abc");
}

TEST(PercentEscaped, EscapesSpaceControlAndNonAscii) {
  std::string out;
  AppendPercentEscaped("/a b/\xc3\xa9\n", 100, out);
  EXPECT_EQ(out, "/a%20b/%C3%A9%0A");
}

TEST(PercentEscaped, NeverSplitsAnEscape) {
  std::string out;
  AppendPercentEscaped("ab\xff", 4, out);
  EXPECT_EQ(out, "ab");
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));            // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));        // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));    // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80")); // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

TEST(Utf8, ToValidUtf8KeepsValidTextAndCutsOnCharacterBoundary) {
  EXPECT_EQ(ToValidUtf8("caf\xc3\xa9", 100), "caf\xc3\xa9");
  EXPECT_EQ(ToValidUtf8("caf\xc3\xa9", 4), "caf");
  EXPECT_EQ(ToValidUtf8("a\xff" "b", 100), "a_b");
}

}  // namespace
}  // namespace zerotrace
