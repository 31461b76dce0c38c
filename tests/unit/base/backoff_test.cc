// The jittered exponential back-off shared by the OTLP exporter and the
// Kubernetes pod watcher.
#include "base/backoff.h"

#include <gtest/gtest.h>

#include <set>

namespace zerotrace {
namespace {

using namespace std::chrono_literals;

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

TEST(RetryBackoff, OtherMultipliersGrowByThem) {
  RetryBackoff backoff({100ms, 100000ms, 3.0}, 7);
  EXPECT_GE(backoff.Delay(2), 450ms);  // step 900 ms
  EXPECT_LE(backoff.Delay(2), 900ms);
}

TEST(RetryBackoff, NonsenseOptionsAreMadeSafe) {
  // A zero start would retry in a tight loop; a cap below the start or a
  // shrinking multiplier would not back off at all.
  RetryBackoff zero({0ms, 0ms, 0.5}, 7);
  EXPECT_GE(zero.Delay(0), 1ms);
  EXPECT_LE(zero.Delay(5), 1ms);
  RetryBackoff low_cap({200ms, 100ms, 2.0}, 7);
  EXPECT_GE(low_cap.Delay(4), 100ms);
  EXPECT_LE(low_cap.Delay(4), 200ms);
}

}  // namespace
}  // namespace zerotrace
