// Retry-After in both of its forms.
#include "exporter/otlp/retry_after.h"

#include <gtest/gtest.h>

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;

TEST(ParseRetryAfter, Seconds) {
  EXPECT_EQ(ParseRetryAfter("1"), 1s);
  EXPECT_EQ(ParseRetryAfter(" 30 "), 30s);
  EXPECT_EQ(ParseRetryAfter("0"), 0s);
}

TEST(ParseRetryAfter, HugeValuesAreCappedAtAnHour) {
  EXPECT_EQ(ParseRetryAfter("86400"), std::chrono::milliseconds(1h));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999"), std::chrono::milliseconds(1h));
}

TEST(ParseRetryAfter, HttpDateRelativeToNow) {
  // 2015-10-21 07:28:00 UTC
  const auto now = std::chrono::system_clock::from_time_t(1445412480);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", now), 5s);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0s);  // in the past
}

TEST(ParseRetryAfter, GarbageIsIgnored) {
  EXPECT_EQ(ParseRetryAfter(""), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5"), std::nullopt);
}

}  // namespace
}  // namespace zerotrace::otlp
