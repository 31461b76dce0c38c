#include "agent/protocols/http1/span_name.h"

#include <gtest/gtest.h>

namespace zerotrace {
namespace {

TEST(SpanName, MethodAndPlainPath) {
  EXPECT_EQ(SpanName("GET", "/"), "GET /");
  EXPECT_EQ(SpanName("POST", "/api/orders"), "POST /api/orders");
}

TEST(SpanName, NumericSegmentsBecomeId) {
  EXPECT_EQ(SpanName("GET", "/users/42"), "GET /users/{id}");
  EXPECT_EQ(SpanName("GET", "/users/42/orders/7"), "GET /users/{id}/orders/{id}");
}

TEST(SpanName, QueryAndFragmentAreDropped) {
  EXPECT_EQ(SpanName("GET", "/users/42?token=secret&x=1"), "GET /users/{id}");
  EXPECT_EQ(SpanName("GET", "/docs#section-2"), "GET /docs");
  EXPECT_EQ(SpanName("GET", "/a?b#c"), "GET /a");
}

TEST(SpanName, AbsoluteFormUsesOnlyThePath) {
  EXPECT_EQ(SpanName("GET", "http://example.com:8080/users/42?x=1"), "GET /users/{id}");
  EXPECT_EQ(SpanName("GET", "https://example.com"), "GET /");
  EXPECT_EQ(SpanName("GET", "http://example.com?x=1"), "GET /");
}

TEST(SpanName, UuidSegmentsBecomeId) {
  EXPECT_EQ(SpanName("DELETE", "/items/123e4567-e89b-12d3-a456-426614174000"), "DELETE /items/{id}");
  EXPECT_EQ(SpanName("GET", "/items/123E4567-E89B-12D3-A456-426614174000/x"), "GET /items/{id}/x");
}

TEST(SpanName, LongHexSegmentsBecomeId) {
  EXPECT_EQ(SpanName("GET", "/blobs/4bf92f3577b34da6a3ce929d0e0e4736"), "GET /blobs/{id}");
  EXPECT_EQ(SpanName("GET", "/commits/a1b2c3d4"), "GET /commits/{id}");  // 8 hex with digits
  EXPECT_EQ(SpanName("GET", "/x/abcdefabcdefabcd"), "GET /x/{id}");      // 16 hex letters
}

TEST(SpanName, WordsThatHappenToBeHexStay) {
  EXPECT_EQ(SpanName("GET", "/cafe/deadbeef"), "GET /cafe/deadbeef");
  EXPECT_EQ(SpanName("GET", "/v1/a1b2c3"), "GET /v1/a1b2c3");  // hex with digits, only 6 long
  EXPECT_EQ(SpanName("GET", "/api/v2/users"), "GET /api/v2/users");
}

TEST(IdSegment, Classification) {
  EXPECT_TRUE(IsIdSegment("0"));
  EXPECT_TRUE(IsIdSegment("123456789012345678901234567890"));
  EXPECT_FALSE(IsIdSegment(""));
  EXPECT_FALSE(IsIdSegment("12a"));                                     // short hex with digit
  EXPECT_FALSE(IsIdSegment("123e4567-e89b-12d3-a456-42661417400"));     // 35 chars
  EXPECT_FALSE(IsIdSegment("123e4567-e89b-12d3-a456_426614174000"));    // wrong separator
  EXPECT_FALSE(IsIdSegment("abcdefabcdefabc"));                          // 15 hex letters
  EXPECT_FALSE(IsIdSegment("1234567g"));
}

TEST(SpanName, EmptySegmentsAreKept) {
  EXPECT_EQ(SpanName("GET", "//a//1/"), "GET //a//{id}/");
}

TEST(SpanName, UnknownOrInvalidMethodIsHttp) {
  EXPECT_EQ(SpanName("PROPFIND", "/files/1"), "HTTP");
  EXPECT_EQ(SpanName("get", "/users"), "HTTP");  // methods are case-sensitive
  EXPECT_EQ(SpanName("", "/users"), "HTTP");
  EXPECT_EQ(SpanName("G\x01T", "/"), "HTTP");
}

TEST(SpanName, EveryKnownMethodIsUsedAsIs) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})
    EXPECT_EQ(SpanName(m, "/x"), std::string(m) + " /x");
}

TEST(SpanName, ConnectAuthorityFormIsJustTheMethod) {
  EXPECT_EQ(SpanName("CONNECT", "example.com:443"), "CONNECT");
}

TEST(SpanName, AsteriskFormIsKept) { EXPECT_EQ(SpanName("OPTIONS", "*"), "OPTIONS *"); }

TEST(SpanName, NonPrintableBytesAreReplaced) {
  EXPECT_EQ(SpanName("GET", "/a\x01" "b/\xc3\xa9t\x7f"), "GET /a_b/__t_");
}

TEST(SpanName, LengthIsCapped) {
  std::string target = "/" + std::string(1000, 'z');  // not hex, so not an id
  std::string name = SpanName("GET", target);
  EXPECT_EQ(name.size(), kMaxSpanNameBytes);
  EXPECT_TRUE(name.starts_with("GET /zzzz"));
  std::string many = "";
  for (int i = 0; i < 200; ++i) many += "/seg";
  EXPECT_EQ(SpanName("GET", many).size(), kMaxSpanNameBytes);
}

TEST(SpanName, BuildSpanNameOverwritesTheOutput) {
  std::string out = "left over from a previous span";
  BuildSpanName("GET", "/a", out);
  EXPECT_EQ(out, "GET /a");
  BuildSpanName("BREW", "/a", out);
  EXPECT_EQ(out, "HTTP");
}

}  // namespace
}  // namespace zerotrace
