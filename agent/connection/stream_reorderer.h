// Puts the chunks of one direction of a connection back in stream order,
// using the byte offsets the kernel stamps on each event.
//
// Events of one direction almost always arrive in order; then a chunk goes
// straight through without a copy. A chunk that arrives early is held (copied)
// until the missing bytes come, or until waiting is pointless (too many held,
// or held too long), at which point the hole is reported as a gap.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "agent/connection/chunk_timing.h"

namespace zerotrace {

class StreamConsumer {
 public:
  virtual ~StreamConsumer() = default;
  virtual void OnChunk(std::span<const uint8_t> captured, uint64_t total_size,
                       const ChunkTiming& timing) = 0;
  virtual void OnGap(uint64_t lost_bytes) = 0;
};

struct ReorderStats {
  uint64_t reordered = 0;  // chunks that had to wait
  uint64_t stale = 0;      // chunks older than what was delivered: dropped
  uint64_t gaps = 0;       // holes given up on
  uint64_t gap_bytes = 0;
};

class StreamReorderer {
 public:
  static constexpr size_t kMaxHeldChunks = 16;
  static constexpr uint64_t kMaxHoldNs = 200'000'000;  // 200 ms

  void Push(uint64_t offset, std::span<const uint8_t> captured, uint64_t total_size,
            const ChunkTiming& timing, StreamConsumer& consumer);

  // Gives up on holes older than kMaxHoldNs (all of them when `everything`).
  void FlushHeld(uint64_t now_ns, bool everything, StreamConsumer& consumer);

  size_t held() const { return held_.size(); }
  const ReorderStats& stats() const { return stats_; }

 private:
  struct HeldChunk {
    uint64_t offset;
    uint64_t total_size;
    ChunkTiming timing;
    uint64_t held_since_ns;
    std::vector<uint8_t> bytes;
  };
  void Deliver(std::span<const uint8_t> captured, uint64_t offset, uint64_t total_size,
               const ChunkTiming& timing, StreamConsumer& consumer);
  void DrainInOrder(StreamConsumer& consumer);
  void DeliverOldestWithGap(StreamConsumer& consumer);

  // The kernel counts each direction from 0 when it starts following a
  // connection, so a first chunk past 0 means earlier events were lost.
  uint64_t next_offset_ = 0;
  std::vector<HeldChunk> held_;  // sorted by offset; tiny, so a vector
  ReorderStats stats_;
};

}  // namespace zerotrace
