// When and where one captured chunk (the bytes of one syscall, or of one TLS
// library call) happened. Every protocol's messages carry the chunks that held
// their first and last bytes.
#pragma once

#include <cstdint>

#include "agent/model/kernel_trace_context.h"

namespace zerotrace {

struct ChunkTiming {
  uint64_t enter_ns = 0;  // CLOCK_MONOTONIC
  uint64_t exit_ns = 0;
  uint32_t tid = 0;
  // What the kernel decided for a request starting at this chunk's first
  // byte. In a message's first chunk only when the message starts there.
  KernelTraceContext trace{};
};

}  // namespace zerotrace
