// The shared text helpers: trimming, ASCII case, hex, percent-decoding.
#include "base/text.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace zerotrace {
namespace {

TEST(TrimBlanks, RemovesSpacesAndTabsOnly) {
  EXPECT_EQ(TrimBlanks(" \t a b \t "), "a b");
  EXPECT_EQ(TrimBlanks("\r\nvalue\r\n"), "\r\nvalue\r\n");  // line breaks are not blanks
  EXPECT_EQ(TrimBlanks(" \t "), "");
  EXPECT_EQ(TrimBlanks(""), "");
}

TEST(TrimWhitespace, RemovesLineBreaksToo) {
  EXPECT_EQ(TrimWhitespace("\r\n\t http://collector:4318 \n"), "http://collector:4318");
  EXPECT_EQ(TrimWhitespace(" a\nb "), "a\nb");  // inside stays
  EXPECT_EQ(TrimWhitespace("\r\n"), "");
  EXPECT_EQ(TrimWhitespace(""), "");
}

TEST(AsciiCase, LowersAndComparesAsciiLettersOnly) {
  EXPECT_EQ(ToLowerAscii("Content-TYPE: X1"), "content-type: x1");
  EXPECT_EQ(ToLowerAscii("\xc3\x89"), "\xc3\x89");  // non-ASCII bytes untouched
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Transfer-Encoding", "transfer-encoding"));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("OFF", "off"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("host", "hosts"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("[", "{"));  // 0x5b and 0x7b differ by the case bit
  EXPECT_TRUE(StartsWithIgnoreAsciiCase("HTTPS://collector", "https://"));
  EXPECT_FALSE(StartsWithIgnoreAsciiCase("http", "https://"));
}

TEST(Hex, DigitValuesEitherCase) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('/'), -1);
  EXPECT_TRUE(IsHexDigits("0123456789abcdefABCDEF"));
  EXPECT_TRUE(IsHexDigits(""));
  EXPECT_FALSE(IsHexDigits("12z4"));
}

TEST(Hex, UuidTextIsEightFourFourFourTwelve) {
  EXPECT_TRUE(IsUuidText("123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_TRUE(IsUuidText("123E4567-E89B-12D3-A456-426614174000"));
  EXPECT_FALSE(IsUuidText("123e4567e89b12d3a456426614174000"));     // no dashes
  EXPECT_FALSE(IsUuidText("123e4567-e89b-12d3-a456-42661417400g"));  // not hex
  EXPECT_FALSE(IsUuidText("123e4567-e89b-12d3-a4564-26614174000"));  // dash misplaced
}

TEST(Hex, EncodesLowercaseTwoCharsPerByte) {
  const std::array<uint8_t, 8> bytes = {0x00, 0x01, 0xab, 0xcd, 0xef, 0x10, 0x7f, 0xff};
  EXPECT_EQ(ToHex(bytes), "0001abcdef107fff");
  std::string out = "x";
  AppendHex(bytes, out);
  EXPECT_EQ(out, "x0001abcdef107fff");
}

TEST(Hex, DecodeRoundTrips) {
  const std::array<uint8_t, 16> bytes = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                                         0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
  std::array<uint8_t, 16> back{};
  ASSERT_TRUE(DecodeHex(ToHex(bytes), back));
  EXPECT_EQ(back, bytes);
}

TEST(Hex, DecodeRejectsWrongLengthAndNonHex) {
  std::array<uint8_t, 8> out{};
  EXPECT_FALSE(DecodeHex("0001abcdef107ff", out));    // 15 chars
  EXPECT_FALSE(DecodeHex("0001abcdef107fff0", out));  // 17 chars
  EXPECT_FALSE(DecodeHex("0001abcdef107ffg", out));
  EXPECT_FALSE(DecodeHex("0001abcdef107ff-", out));
}

TEST(Hex, DecodeCaseRule) {
  std::array<uint8_t, 8> out{};
  EXPECT_TRUE(DecodeHex("0001ABCDEF107FFF", out, HexCase::kAny));
  EXPECT_EQ(ToHex(out), "0001abcdef107fff");
  EXPECT_FALSE(DecodeHex("0001ABCDEF107FFF", out, HexCase::kLowerOnly));
  EXPECT_TRUE(DecodeHex("0001abcdef107fff", out, HexCase::kLowerOnly));
}

TEST(Hex, LiteralForMessages) {
  EXPECT_EQ(HexLiteral(0), "0x0");
  EXPECT_EQ(HexLiteral(0x4a3f10), "0x4a3f10");
  EXPECT_EQ(HexLiteral(UINT64_MAX), "0xffffffffffffffff");
}

TEST(PercentDecode, DecodesEscapesEitherCase) {
  EXPECT_EQ(PercentDecode("team%20a%2Cb%2c", BadPercentEscape::kReject), "team a,b,");
  EXPECT_EQ(PercentDecode("%41", BadPercentEscape::kReject), "A");  // escape at the very end
  EXPECT_EQ(PercentDecode("", BadPercentEscape::kReject), "");
}

TEST(PercentDecode, BadEscapesAreRejectedOrKeptAsAsked) {
  for (const char* bad : {"%", "a%4", "%zz", "100%"}) {
    EXPECT_EQ(PercentDecode(bad, BadPercentEscape::kReject), std::nullopt) << bad;
    EXPECT_EQ(PercentDecode(bad, BadPercentEscape::kKeepLiteral), bad) << bad;
  }
  EXPECT_EQ(PercentDecode("50%%20off", BadPercentEscape::kKeepLiteral), "50% off");
}

}  // namespace
}  // namespace zerotrace
