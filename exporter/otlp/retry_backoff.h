// When to try an export again after a transient failure: exponential
// back-off with jitter, as the OTLP specification asks of exporters, so many
// agents whose collector restarts do not all come back in the same instant.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace zerotrace::otlp {

struct BackoffOptions {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{30000};
  double multiplier = 2.0;
};

class RetryBackoff {
 public:
  explicit RetryBackoff(BackoffOptions options = {}, uint64_t seed = std::random_device{}());

  // The wait before retry number `retry` (0 for the first retry): the
  // exponential step min(initial * multiplier^retry, max), drawn uniformly
  // from its upper half.
  std::chrono::milliseconds Delay(unsigned retry);

 private:
  BackoffOptions options_;
  std::mt19937_64 random_;
};

}  // namespace zerotrace::otlp
