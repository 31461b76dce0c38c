#include "agent/connection/stream_reorderer.h"

#include <gtest/gtest.h>

#include <string>

namespace zerotrace {
namespace {

struct Recorder : StreamConsumer {
  std::string seen;
  uint64_t gap_bytes = 0;
  void OnChunk(std::span<const uint8_t> captured, uint64_t, const ChunkTiming&) override {
    seen.append(reinterpret_cast<const char*>(captured.data()), captured.size());
  }
  void OnGap(uint64_t lost) override {
    gap_bytes += lost;
    seen += "|";
  }
};

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(StreamReorderer, InOrderChunksPassStraightThrough) {
  StreamReorderer order;
  Recorder out;
  std::string a = "abc", b = "def";
  order.Push(0, Bytes(a), 3, {}, out);
  order.Push(3, Bytes(b), 3, {}, out);
  EXPECT_EQ(out.seen, "abcdef");
  EXPECT_EQ(order.held(), 0u);
}

TEST(StreamReorderer, EarlyChunkWaitsForTheMissingOne) {
  StreamReorderer order;
  Recorder out;
  std::string a = "abc", b = "def", c = "ghi";
  order.Push(0, Bytes(a), 3, {}, out);
  order.Push(6, Bytes(c), 3, {}, out);
  EXPECT_EQ(out.seen, "abc");
  order.Push(3, Bytes(b), 3, {}, out);
  EXPECT_EQ(out.seen, "abcdefghi");
  EXPECT_EQ(order.stats().reordered, 1u);
}

TEST(StreamReorderer, HoleIsDeclaredAfterTheHoldTime) {
  StreamReorderer order;
  Recorder out;
  std::string a = "abc", c = "ghi";
  order.Push(0, Bytes(a), 3, {0, 10, 0}, out);
  order.Push(6, Bytes(c), 3, {0, 20, 0}, out);
  order.FlushHeld(20 + StreamReorderer::kMaxHoldNs - 1, false, out);
  EXPECT_EQ(out.seen, "abc");
  order.FlushHeld(20 + StreamReorderer::kMaxHoldNs, false, out);
  EXPECT_EQ(out.seen, "abc|ghi");
  EXPECT_EQ(out.gap_bytes, 3u);
}

TEST(StreamReorderer, HoldingIsBoundedInChunks) {
  StreamReorderer order;
  Recorder out;
  std::string x = "x";
  order.Push(0, Bytes(x), 1, {}, out);
  for (uint64_t i = 0; i < StreamReorderer::kMaxHeldChunks + 5; ++i)
    order.Push(10 + i, Bytes(x), 1, {}, out);
  EXPECT_LE(order.held(), StreamReorderer::kMaxHeldChunks);
  EXPECT_EQ(out.gap_bytes, 9u);
}

TEST(StreamReorderer, DuplicateChunkIsDropped) {
  StreamReorderer order;
  Recorder out;
  std::string a = "abc";
  order.Push(0, Bytes(a), 3, {}, out);
  order.Push(0, Bytes(a), 3, {}, out);
  EXPECT_EQ(out.seen, "abc");
  EXPECT_EQ(order.stats().stale, 1u);
}

}  // namespace
}  // namespace zerotrace
