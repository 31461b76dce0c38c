// The agent's own resident memory, for logs and /metrics.
#pragma once

#include <cstdint>

namespace zerotrace {

// Bytes, from /proc/self/statm; 0 when it cannot be read.
uint64_t ResidentBytes();

}  // namespace zerotrace
