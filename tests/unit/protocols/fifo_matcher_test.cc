// FIFO pairing shared by HTTP/1.x and Redis: order pairs, holes drop what
// waits across them, limits never cause a wrong pair.
#include "agent/protocols/fifo_matcher.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace zerotrace {
namespace {

struct Message {
  int id = 0;
  ChunkTiming first_chunk;
  ChunkTiming last_chunk;
};

Message At(int id, uint64_t ns) {
  Message m;
  m.id = id;
  m.first_chunk = {ns, ns, 0, {}};
  m.last_chunk = {ns, ns, 0, {}};
  return m;
}

class FifoMatcherTest : public ::testing::Test {
 protected:
  void Pair() {
    matcher.Pair([this](const Message& q, const Message& r) { pairs.emplace_back(q.id, r.id); });
  }

  ProtocolStats stats;
  FifoMatcher<Message, Message> matcher{stats, {.max_pending_requests = 2, .max_orphan_responses = 4}};
  std::vector<std::pair<int, int>> pairs;
};

TEST_F(FifoMatcherTest, PairsInOrder) {
  matcher.PushRequest(At(1, 10));
  matcher.PushRequest(At(2, 11));
  matcher.PushResponse(At(101, 20));
  matcher.PushResponse(At(102, 21));
  Pair();
  EXPECT_EQ(pairs, (std::vector<std::pair<int, int>>{{1, 101}, {2, 102}}));
  EXPECT_EQ(stats.exchanges, 2u);
}

TEST_F(FifoMatcherTest, RequestsDroppedOverTheLimitHaveTheirResponsesSkipped) {
  for (int i = 1; i <= 4; ++i) matcher.PushRequest(At(i, 10 + i));
  Pair();  // 1 and 2 dropped: the first two responses to come answer them
  EXPECT_EQ(stats.unpaired_requests, 2u);
  EXPECT_EQ(matcher.responses_owed(), 4u);
  for (int i = 1; i <= 4; ++i) matcher.PushResponse(At(100 + i, 30 + i));
  Pair();
  EXPECT_EQ(pairs, (std::vector<std::pair<int, int>>{{3, 103}, {4, 104}}));
}

TEST_F(FifoMatcherTest, AHoleOnTheResponseSideDropsWaitingRequestsAndForgetsSkips) {
  for (int i = 1; i <= 3; ++i) matcher.PushRequest(At(i, 10 + i));
  Pair();
  matcher.DropRequests();
  EXPECT_EQ(matcher.responses_owed(), 0u);
  matcher.PushRequest(At(9, 50));
  matcher.PushResponse(At(109, 60));
  Pair();
  EXPECT_EQ(pairs, (std::vector<std::pair<int, int>>{{9, 109}}));
}

TEST_F(FifoMatcherTest, AResponseOverBeforeItsRequestBeganIsNotPaired) {
  matcher.PushResponse(At(100, 5));
  matcher.PushRequest(At(1, 10));
  matcher.PushResponse(At(101, 20));
  Pair();
  EXPECT_EQ(pairs, (std::vector<std::pair<int, int>>{{1, 101}}));
  EXPECT_EQ(stats.unpaired_responses, 1u);
}

}  // namespace
}  // namespace zerotrace
