// When to try again after a transient failure: exponential back-off with
// jitter, so that many agents whose collector or API server restarts do not
// all come back in the same instant (the OTLP specification asks it of
// exporters; the Kubernetes API server wants it of watchers).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace zerotrace {

struct BackoffOptions {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{30000};  // raised to `initial` if below it
  double multiplier = 2.0;               // at least 1
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

}  // namespace zerotrace
