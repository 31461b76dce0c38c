// Span counters every sink keeps, so the agent can report on exit what
// reached the back-end and what did not. Written by the sink's threads, read
// from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace zerotrace {

struct ExporterCounts {
  uint64_t exported = 0;  // delivered: accepted by the receiver, written or printed
  uint64_t dropped = 0;   // never sent: queue full, or still queued when shutdown ran out of time
  uint64_t failed = 0;    // sent but not delivered: retries ran out, final HTTP/gRPC error, write error
  uint64_t rejected = 0;  // delivered, but the receiver said it dropped them (OTLP partial success)
  uint64_t retries = 0;   // export attempts repeated after a transient failure
};

struct ExporterStats {
  std::atomic<uint64_t> exported{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> failed{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> retries{0};

  ExporterCounts Snapshot() const {
    return {exported.load(std::memory_order_relaxed), dropped.load(std::memory_order_relaxed),
            failed.load(std::memory_order_relaxed), rejected.load(std::memory_order_relaxed),
            retries.load(std::memory_order_relaxed)};
  }
};

}  // namespace zerotrace
