// The chunked transfer coding on its own: sizes, extensions, trailers and
// CRLFs split anywhere, data counted (not kept), holes skipped by count, and
// where framing is lost.
#include "agent/protocols/http1/chunked_body.h"

#include <gtest/gtest.h>

#include <string_view>

namespace zerotrace::http1 {
namespace {

using Status = ChunkedBody::Status;

ChunkedBody Started() {
  ChunkedBody body;
  body.Start();
  return body;
}

TEST(ChunkedBody, CountsDataAndEndsAfterTheFinalEmptyLine) {
  ChunkedBody body = Started();
  constexpr std::string_view kBody = "5\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\nGET";
  const ChunkedBody::Progress p = body.Read(kBody, 0);
  EXPECT_EQ(p.status, Status::kEnded);
  EXPECT_EQ(p.data_bytes, 5u + 26u);
  EXPECT_EQ(kBody.substr(p.end), "GET");  // the next message starts there
}

TEST(ChunkedBody, ReadsFromTheGivenPosition) {
  ChunkedBody body = Started();
  const ChunkedBody::Progress p = body.Read("xx3\r\nabc\r\n0\r\n\r\n", 2);
  EXPECT_EQ(p.status, Status::kEnded);
  EXPECT_EQ(p.data_bytes, 3u);
  EXPECT_EQ(p.end, 15u);
}

TEST(ChunkedBody, AnySplitGivesTheSameCount) {
  constexpr std::string_view kBody =
      "4;name=value\r\nwiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n";
  for (size_t cut = 0; cut <= kBody.size(); ++cut) {
    ChunkedBody body = Started();
    const ChunkedBody::Progress first = body.Read(kBody.substr(0, cut), 0);
    ASSERT_EQ(first.status, cut == kBody.size() ? Status::kEnded : Status::kInBody) << cut;
    uint64_t data = first.data_bytes;
    if (cut < kBody.size()) {
      const ChunkedBody::Progress second = body.Read(kBody.substr(cut), 0);
      EXPECT_EQ(second.status, Status::kEnded) << cut;
      EXPECT_EQ(second.end, kBody.size() - cut) << cut;
      data += second.data_bytes;
    }
    EXPECT_EQ(data, 9u) << cut;
  }
}

TEST(ChunkedBody, BareLineFeedsAreAccepted) {
  ChunkedBody body = Started();
  const ChunkedBody::Progress p = body.Read("3\nabc\n0\n\n", 0);
  EXPECT_EQ(p.status, Status::kEnded);
  EXPECT_EQ(p.data_bytes, 3u);
}

TEST(ChunkedBody, NonHexSizeLosesFramingWhereItStands) {
  ChunkedBody body = Started();
  const ChunkedBody::Progress p = body.Read("3\r\nabc\r\nzz\r\n", 0);
  EXPECT_EQ(p.status, Status::kFramingLost);
  EXPECT_EQ(p.end, 8u);  // at "zz"
  EXPECT_EQ(p.data_bytes, 3u);
}

TEST(ChunkedBody, DataNotFollowedByCrlfLosesFraming) {
  ChunkedBody body = Started();
  const ChunkedBody::Progress p = body.Read("3\r\nabcX", 0);
  EXPECT_EQ(p.status, Status::kFramingLost);
  EXPECT_EQ(p.end, 6u);
}

TEST(ChunkedBody, OversizedChunkSizeLosesFraming) {
  ChunkedBody body = Started();
  EXPECT_EQ(body.Read("fffffffffffffffffff\r\n", 0).status, Status::kFramingLost);
}

TEST(ChunkedBody, EndlessExtensionLosesFraming) {
  ChunkedBody body = Started();
  EXPECT_EQ(body.Read("1;", 0).status, Status::kInBody);
  const std::string long_extension(5000, 'x');
  EXPECT_EQ(body.Read(long_extension, 0).status, Status::kFramingLost);
}

TEST(ChunkedBody, UnseenDataAndItsCrlfAreSkippedByCount) {
  ChunkedBody body = Started();
  ASSERT_EQ(body.Read("a\r\n", 0).status, Status::kInBody);
  const ChunkedBody::Skipped skipped = body.Skip(10 + 2);  // the data and its CRLF
  EXPECT_FALSE(skipped.framing_lost);
  EXPECT_EQ(skipped.body_bytes, 10u);
  const ChunkedBody::Progress p = body.Read("0\r\n\r\n", 0);
  EXPECT_EQ(p.status, Status::kEnded);
}

TEST(ChunkedBody, AnUnseenSizeLineLosesFramingAndCountsTheRestAsBody) {
  ChunkedBody body = Started();
  ASSERT_EQ(body.Read("2\r\n", 0).status, Status::kInBody);
  const ChunkedBody::Skipped skipped = body.Skip(2 + 2 + 7);  // data, CRLF, then 7 unseen bytes
  EXPECT_TRUE(skipped.framing_lost);
  EXPECT_EQ(skipped.body_bytes, 2u + 7u);
}

TEST(ChunkedBody, StartForgetsThePreviousBody) {
  ChunkedBody body = Started();
  ASSERT_EQ(body.Read("ff", 0).status, Status::kInBody);
  body.Start();
  const ChunkedBody::Progress p = body.Read("1\r\nx\r\n0\r\n\r\n", 0);
  EXPECT_EQ(p.status, Status::kEnded);
  EXPECT_EQ(p.data_bytes, 1u);
}

}  // namespace
}  // namespace zerotrace::http1
