#include "agent/model/clock_offset.h"

#include <time.h>

#include <limits>

namespace zerotrace {
namespace {

int64_t NowNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

int64_t MeasureMonotonicToUnixOffsetNs() {
  int64_t best_window = std::numeric_limits<int64_t>::max();
  int64_t best_offset = 0;
  for (int i = 0; i < 5; ++i) {
    int64_t mono_before = NowNs(CLOCK_MONOTONIC);
    int64_t real = NowNs(CLOCK_REALTIME);
    int64_t mono_after = NowNs(CLOCK_MONOTONIC);
    if (mono_after - mono_before < best_window) {
      best_window = mono_after - mono_before;
      best_offset = real - (mono_before + (mono_after - mono_before) / 2);
    }
  }
  return best_offset;
}

}  // namespace zerotrace
