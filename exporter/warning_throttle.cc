#include "exporter/warning_throttle.h"

namespace zerotrace {

bool WarningThrottle::ShouldWarn(uint64_t* suppressed, Clock::time_point now) {
  if (warned_once_ && now - last_warning_ < interval_) {
    ++suppressed_;
    return false;
  }
  warned_once_ = true;
  last_warning_ = now;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace zerotrace
