// Retry-After in both of its forms, and the jittered exponential back-off.
#include "exporter/otlp/retry_after.h"

#include <gtest/gtest.h>

#include <set>

#include "exporter/otlp/retry_backoff.h"

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

TEST(RetryBackoff, GrowsExponentiallyWithinTheUpperHalfOfEachStep) {
  RetryBackoff backoff({100ms, 1000ms, 2.0}, /*seed=*/7);
  for (int round = 0; round < 50; ++round) {
    const auto first = backoff.Delay(0), second = backoff.Delay(1), third = backoff.Delay(2);
    EXPECT_GE(first, 50ms);
    EXPECT_LE(first, 100ms);
    EXPECT_GE(second, 100ms);
    EXPECT_LE(second, 200ms);
    EXPECT_GE(third, 200ms);
    EXPECT_LE(third, 400ms);
  }
}

TEST(RetryBackoff, IsCappedAtTheMaximum) {
  RetryBackoff backoff({100ms, 1000ms, 2.0}, 7);
  for (unsigned retry : {10u, 20u, 1000u}) {
    EXPECT_LE(backoff.Delay(retry), 1000ms);
    EXPECT_GE(backoff.Delay(retry), 500ms);
  }
}

TEST(RetryBackoff, IsJittered) {
  RetryBackoff backoff({1000ms, 30000ms, 2.0}, 7);
  std::set<int64_t> seen;
  for (int i = 0; i < 20; ++i) seen.insert(backoff.Delay(3).count());
  EXPECT_GT(seen.size(), 10u);  // agents restarted together must not retry in lockstep
}

}  // namespace
}  // namespace zerotrace::otlp
