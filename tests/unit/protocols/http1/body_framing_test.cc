// How a message's body is delimited, decided from its start line and
// header fields (RFC 9112 6.3).
#include "agent/protocols/http1/body_framing.h"

#include <gtest/gtest.h>

#include "agent/protocols/http1/header_block.h"

namespace zerotrace::http1 {
namespace {

HeaderFields ContentLength(uint64_t n) {
  HeaderFields fields;
  fields.has_content_length = true;
  fields.content_length = n;
  return fields;
}

HeaderFields TransferEncoding(bool chunked) {
  HeaderFields fields;
  fields.has_transfer_encoding = true;
  fields.chunked = chunked;
  return fields;
}

HeaderFields InvalidContentLength() {
  HeaderFields fields;
  fields.has_content_length = true;
  fields.content_length_invalid = true;
  return fields;
}

TEST(RequestBodyFraming, FollowsTransferEncodingThenContentLength) {
  EXPECT_EQ(RequestBodyFraming(HeaderFields{}, true), BodyFraming::kNone);
  EXPECT_EQ(RequestBodyFraming(ContentLength(0), true), BodyFraming::kNone);
  EXPECT_EQ(RequestBodyFraming(ContentLength(12), true), BodyFraming::kContentLength);
  EXPECT_EQ(RequestBodyFraming(TransferEncoding(true), true), BodyFraming::kChunked);
  HeaderFields both = TransferEncoding(true);
  both.has_content_length = true;
  both.content_length = 5;
  EXPECT_EQ(RequestBodyFraming(both, true), BodyFraming::kChunked);
}

TEST(RequestBodyFraming, CannotFrameOtherCodingsBadLengthsOrTruncatedHeaders) {
  EXPECT_EQ(RequestBodyFraming(TransferEncoding(false), true), BodyFraming::kLost);
  EXPECT_EQ(RequestBodyFraming(InvalidContentLength(), true), BodyFraming::kLost);
  EXPECT_EQ(RequestBodyFraming(ContentLength(12), false), BodyFraming::kLost);
}

TEST(ResponseBodyFraming, WithoutLengthRunsUntilClose) {
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kOther, HeaderFields{}, true),
            BodyFraming::kUntilClose);
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kOther, TransferEncoding(false), true),
            BodyFraming::kUntilClose);
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kOther, TransferEncoding(true), true),
            BodyFraming::kChunked);
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kOther, ContentLength(3), true),
            BodyFraming::kContentLength);
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kOther, ContentLength(0), true),
            BodyFraming::kNone);
}

TEST(ResponseBodyFraming, HeadAnd204And304HaveNoBody) {
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kHead, ContentLength(100), true),
            BodyFraming::kNone);
  EXPECT_EQ(ResponseBodyFraming(204, AnsweredMethod::kOther, HeaderFields{}, true),
            BodyFraming::kNone);
  EXPECT_EQ(ResponseBodyFraming(304, AnsweredMethod::kOther, ContentLength(100), true),
            BodyFraming::kNone);
}

TEST(ResponseBodyFraming, SwitchingProtocolsAndConnectLeaveHttp) {
  EXPECT_EQ(ResponseBodyFraming(101, AnsweredMethod::kOther, HeaderFields{}, true),
            BodyFraming::kOpaque);
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kConnect, HeaderFields{}, true),
            BodyFraming::kOpaque);
  EXPECT_EQ(ResponseBodyFraming(407, AnsweredMethod::kConnect, ContentLength(0), true),
            BodyFraming::kNone);
}

TEST(ResponseBodyFraming, TruncatedHeadersOrBadLengthLoseFraming) {
  EXPECT_EQ(ResponseBodyFraming(101, AnsweredMethod::kOther, HeaderFields{}, false),
            BodyFraming::kLost);
  EXPECT_EQ(ResponseBodyFraming(200, AnsweredMethod::kOther, InvalidContentLength(), true),
            BodyFraming::kLost);
}

TEST(IsInterimStatus, OnlyInformationalOtherThan101) {
  EXPECT_TRUE(IsInterimStatus(100));
  EXPECT_TRUE(IsInterimStatus(103));
  EXPECT_FALSE(IsInterimStatus(101));
  EXPECT_FALSE(IsInterimStatus(200));
  EXPECT_FALSE(IsInterimStatus(99));
}

}  // namespace
}  // namespace zerotrace::http1
