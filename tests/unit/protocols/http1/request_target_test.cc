#include "agent/protocols/http1/request_target.h"

#include <gtest/gtest.h>

namespace zerotrace {
namespace {

TEST(RequestTarget, OriginForm) {
  RequestTarget t = SplitRequestTarget("/a/b?x=1&y=2#frag");
  EXPECT_EQ(t.path, "/a/b");
  EXPECT_EQ(t.query, "x=1&y=2");
  EXPECT_EQ(t.authority, "");
  EXPECT_EQ(t.scheme, "");
}

TEST(RequestTarget, EmptyQueryIsEmpty) {
  RequestTarget t = SplitRequestTarget("/a?");
  EXPECT_EQ(t.path, "/a");
  EXPECT_EQ(t.query, "");
}

TEST(RequestTarget, AbsoluteForm) {
  RequestTarget t = SplitRequestTarget("http://user:pw@example.com:8080/p?q=1");
  EXPECT_EQ(t.scheme, "http");
  EXPECT_EQ(t.authority, "user:pw@example.com:8080");
  EXPECT_EQ(t.path, "/p");
  EXPECT_EQ(t.query, "q=1");
}

TEST(RequestTarget, AbsoluteFormWithoutPathGetsSlash) {
  RequestTarget t = SplitRequestTarget("https://example.com?q=1");
  EXPECT_EQ(t.authority, "example.com");
  EXPECT_EQ(t.path, "/");
  EXPECT_EQ(t.query, "q=1");
  EXPECT_EQ(SplitRequestTarget("http://example.com").path, "/");
}

TEST(RequestTarget, AuthorityForm) {
  RequestTarget t = SplitRequestTarget("example.com:443");
  EXPECT_EQ(t.authority, "example.com:443");
  EXPECT_EQ(t.path, "");
}

TEST(Authority, HostAndPort) {
  auto hp = ParseAuthority("example.com:8080");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "example.com");
  EXPECT_EQ(hp->port, 8080);
  hp = ParseAuthority("example.com");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 0);
}

TEST(Authority, Ipv6Literals) {
  auto hp = ParseAuthority("[::1]:9000");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 9000);
  hp = ParseAuthority("[2001:db8::1]");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "2001:db8::1");
  EXPECT_EQ(hp->port, 0);
  hp = ParseAuthority("2001:db8::1");  // unbracketed: no port can be told apart
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "2001:db8::1");
  EXPECT_EQ(hp->port, 0);
}

TEST(Authority, UserinfoIsDropped) {
  auto hp = ParseAuthority("alice:secret@example.com:81");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "example.com");
  EXPECT_EQ(hp->port, 81);
}

TEST(Authority, Invalid) {
  EXPECT_FALSE(ParseAuthority(""));
  EXPECT_FALSE(ParseAuthority(":80"));
  EXPECT_FALSE(ParseAuthority("example.com:http"));
  EXPECT_FALSE(ParseAuthority("example.com:70000"));
  EXPECT_FALSE(ParseAuthority("[::1"));
  EXPECT_FALSE(ParseAuthority("[::1]x"));
}

}  // namespace
}  // namespace zerotrace
