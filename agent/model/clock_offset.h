// Kernel timestamps are CLOCK_MONOTONIC; OTLP wants unix time. The offset
// between the two clocks changes when NTP steps the wall clock, so the agent
// measures it again now and then (cheap: a few clock_gettime calls).
#pragma once

#include <cstdint>

namespace zerotrace {

// CLOCK_REALTIME - CLOCK_MONOTONIC in ns, now. Takes the tightest of a few
// monotonic/realtime/monotonic brackets so a preemption between the reads
// does not skew the result.
int64_t MeasureMonotonicToUnixOffsetNs();

// Monotonic ns + offset, clamped at 0 (never wraps to a date in 2554).
inline uint64_t MonotonicToUnixNs(uint64_t monotonic_ns, int64_t offset_ns) {
  if (offset_ns < 0 && monotonic_ns < static_cast<uint64_t>(-offset_ns)) return 0;
  return monotonic_ns + static_cast<uint64_t>(offset_ns);
}

}  // namespace zerotrace
