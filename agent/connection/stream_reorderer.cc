#include "agent/connection/stream_reorderer.h"

#include <algorithm>

namespace zerotrace {

void StreamReorderer::Push(uint64_t offset, std::span<const uint8_t> captured,
                           uint64_t total_size, const ChunkTiming& timing,
                           StreamConsumer& consumer) {
  if (offset + total_size <= next_offset_ && total_size > 0) {
    ++stats_.stale;
    return;
  }
  if (offset == next_offset_) {
    Deliver(captured, offset, total_size, timing, consumer);
    DrainInOrder(consumer);
    return;
  }
  if (offset < next_offset_) {
    // Overlaps what was delivered: only possible with a confused stream.
    ++stats_.stale;
    return;
  }
  ++stats_.reordered;
  HeldChunk chunk{offset, total_size, timing, timing.exit_ns,
                  std::vector<uint8_t>(captured.begin(), captured.end())};
  auto pos = std::lower_bound(held_.begin(), held_.end(), offset,
                              [](const HeldChunk& c, uint64_t o) { return c.offset < o; });
  held_.insert(pos, std::move(chunk));
  DrainInOrder(consumer);
  while (held_.size() > kMaxHeldChunks) DeliverOldestWithGap(consumer);
}

void StreamReorderer::FlushHeld(uint64_t now_ns, bool everything, StreamConsumer& consumer) {
  while (!held_.empty()) {
    bool stale = now_ns > held_.front().held_since_ns &&
                 now_ns - held_.front().held_since_ns >= kMaxHoldNs;
    if (!everything && !stale) break;
    DeliverOldestWithGap(consumer);
  }
}

void StreamReorderer::Deliver(std::span<const uint8_t> captured, uint64_t offset,
                              uint64_t total_size, const ChunkTiming& timing,
                              StreamConsumer& consumer) {
  consumer.OnChunk(captured, total_size, timing);
  next_offset_ = offset + total_size;
}

void StreamReorderer::DrainInOrder(StreamConsumer& consumer) {
  while (!held_.empty() && held_.front().offset <= next_offset_) {
    HeldChunk chunk = std::move(held_.front());
    held_.erase(held_.begin());
    if (chunk.offset == next_offset_)
      Deliver(chunk.bytes, chunk.offset, chunk.total_size, chunk.timing, consumer);
    else
      ++stats_.stale;
  }
}

void StreamReorderer::DeliverOldestWithGap(StreamConsumer& consumer) {
  if (held_.empty()) return;
  uint64_t hole = held_.front().offset - next_offset_;
  if (hole > 0) {
    ++stats_.gaps;
    stats_.gap_bytes += hole;
    consumer.OnGap(hole);
    next_offset_ = held_.front().offset;
  }
  DrainInOrder(consumer);
}

}  // namespace zerotrace
