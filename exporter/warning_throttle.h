// Lets a repeating warning (endpoint down, queue full) through at most once
// per interval, so a dead collector costs one log line per interval instead
// of one per batch.
#pragma once

#include <chrono>
#include <cstdint>

namespace zerotrace {

class WarningThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WarningThrottle(Clock::duration interval = std::chrono::seconds(10))
      : interval_(interval) {}

  // True if the caller should log now. `suppressed` receives how many calls
  // were held back since the last warning that went through.
  bool ShouldWarn(uint64_t* suppressed, Clock::time_point now = Clock::now());

 private:
  Clock::duration interval_;
  Clock::time_point last_warning_{};
  bool warned_once_ = false;
  uint64_t suppressed_ = 0;
};

}  // namespace zerotrace
