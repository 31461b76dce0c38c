#include "agent/connection/connection_tracker.h"

#include <gtest/gtest.h>

#include "agent/protocols/registry.h"
#include "tests/testing/event_generator.h"
#include "tests/testing/exchange_recorder.h"

namespace zerotrace {
namespace {

using testing::EventGenerator;
using testing::Get;
using testing::Ok;

constexpr uint64_t kMs = 1'000'000;

class TrackerTest : public ::testing::Test {
 protected:
  ProtocolStats Http1Stats() const { return tracker.protocol_stats()[ZT_PROTO_HTTP1]; }

  testing::ExchangeRecorder recorder;
  std::vector<testing::RecordedExchange>& exchanges = recorder.exchanges;
  ConnectionTracker tracker{&protocols::NewSession, recorder};
};

TEST_F(TrackerTest, PairsServerRequestWithResponse) {
  EventGenerator server(ZT_ROLE_SERVER);
  tracker.OnData(server.In(Get("/a"), 1 * kMs, 2 * kMs).view());
  tracker.OnData(server.Out(Ok(), 5 * kMs, 6 * kMs).view());
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].target(), "/a");
  EXPECT_EQ(exchanges[0].status(), 200);
  EXPECT_EQ(exchanges[0].connection.role, ConnectionRole::kServer);
  EXPECT_EQ(exchanges[0].connection.local_port, 8080);
  EXPECT_EQ(exchanges[0].connection.peer_address, "10.0.0.2");
  EXPECT_EQ(exchanges[0].request_start.exit_ns, 2 * kMs);
  EXPECT_EQ(exchanges[0].response_end.exit_ns, 6 * kMs);
}

TEST_F(TrackerTest, ClientRequestsAreTheEgressDirection) {
  EventGenerator client(ZT_ROLE_CLIENT);
  tracker.OnData(client.Out(Get("/c"), 1 * kMs, 2 * kMs).view());
  tracker.OnData(client.In(Ok("", 404), 3 * kMs, 4 * kMs).view());
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].connection.role, ConnectionRole::kClient);
  EXPECT_EQ(exchanges[0].status(), 404);
}

TEST_F(TrackerTest, KeepAliveConnectionYieldsOneExchangePerRequest) {
  EventGenerator server(ZT_ROLE_SERVER);
  for (int i = 0; i < 20; ++i) {
    uint64_t t = static_cast<uint64_t>(i) * 10 * kMs;
    tracker.OnData(server.In(Get("/k/" + std::to_string(i)), t, t + 1).view());
    tracker.OnData(server.Out(Ok(), t + 2, t + 3).view());
  }
  ASSERT_EQ(exchanges.size(), 20u);
  EXPECT_EQ(exchanges[19].target(), "/k/19");
  EXPECT_EQ(tracker.connection_count(), 1u);
}

TEST_F(TrackerTest, PipelinedRequestsPairInOrder) {
  EventGenerator server(ZT_ROLE_SERVER);
  tracker.OnData(server.In(Get("/1") + Get("/2") + Get("/3"), 1, 2).view());
  tracker.OnData(server.Out(Ok("a", 200) + Ok("b", 404), 3, 4).view());
  tracker.OnData(server.Out(Ok("c", 500), 5, 6).view());
  ASSERT_EQ(exchanges.size(), 3u);
  EXPECT_EQ(exchanges[0].target(), "/1");
  EXPECT_EQ(exchanges[0].status(), 200);
  EXPECT_EQ(exchanges[1].target(), "/2");
  EXPECT_EQ(exchanges[1].status(), 404);
  EXPECT_EQ(exchanges[2].target(), "/3");
  EXPECT_EQ(exchanges[2].status(), 500);
}

TEST_F(TrackerTest, OutOfOrderEventsOfOneDirectionAreReordered) {
  EventGenerator server(ZT_ROLE_SERVER);
  auto req = server.In(Get("/r"), 1, 2);
  std::string response = Ok("0123456789");
  auto head = server.Out(response.substr(0, 20), 3, 4);
  auto tail = server.Out(response.substr(20), 5, 6);
  tracker.OnData(req.view());
  tracker.OnData(tail.view());  // arrives before the head
  EXPECT_TRUE(exchanges.empty());
  tracker.OnData(head.view());
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].status(), 200);
  EXPECT_EQ(exchanges[0].response_end.exit_ns, 6u);
}

TEST_F(TrackerTest, LostEventIsGivenUpOnAndLaterRequestsStillPair) {
  EventGenerator server(ZT_ROLE_SERVER);
  tracker.OnData(server.In(Get("/first"), 1 * kMs, 2 * kMs).view());
  server.Out(Ok(), 3 * kMs, 4 * kMs);  // lost: never delivered
  tracker.OnData(server.In(Get("/second"), 10 * kMs, 11 * kMs).view());
  tracker.OnData(server.Out(Ok("x", 201), 12 * kMs, 13 * kMs).view());
  // The second response waits for the lost bytes, then the hole is declared.
  EXPECT_TRUE(exchanges.empty());
  tracker.Expire(13 * kMs + StreamReorderer::kMaxHoldNs + 1);
  // Which request 201 answers is unknowable now: neither is paired with it.
  EXPECT_TRUE(exchanges.empty());
  EXPECT_EQ(Http1Stats().unpaired_requests, 2u);
  // The connection carries on correctly after the hole.
  tracker.OnData(server.In(Get("/third"), 20 * kMs, 21 * kMs).view());
  tracker.OnData(server.Out(Ok("y", 202), 22 * kMs, 23 * kMs).view());
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].target(), "/third");
  EXPECT_EQ(exchanges[0].status(), 202);
}

TEST_F(TrackerTest, ResponseFromBeforeTheFirstSeenRequestIsNotPaired) {
  // Connection picked up mid-stream: the first thing seen is the tail of an
  // earlier exchange's response, written before the next request was read.
  EventGenerator server(ZT_ROLE_SERVER);
  tracker.OnData(server.Out(Ok("old", 200), 1 * kMs, 2 * kMs).view());
  tracker.OnData(server.In(Get("/new"), 5 * kMs, 6 * kMs).view());
  tracker.OnData(server.Out(Ok("new", 404), 7 * kMs, 8 * kMs).view());
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].target(), "/new");
  EXPECT_EQ(exchanges[0].status(), 404);
  EXPECT_EQ(Http1Stats().unpaired_responses, 1u);
}

TEST_F(TrackerTest, CloseFinishesResponseFramedByClose) {
  EventGenerator server(ZT_ROLE_SERVER);
  tracker.OnData(server.In("GET /old HTTP/1.0\r\n\r\n", 1, 2).view());
  tracker.OnData(server.Out("HTTP/1.0 200 OK\r\n\r\nbody without length", 3, 4).view());
  EXPECT_TRUE(exchanges.empty());
  tracker.OnClose(server.Close(9));
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(tracker.connection_count(), 0u);
}

TEST_F(TrackerTest, SameFdNewGenerationIsANewConnection) {
  EventGenerator first(ZT_ROLE_SERVER, 100, 7, 1);
  EventGenerator second(ZT_ROLE_SERVER, 100, 7, 2);
  tracker.OnData(first.In(Get("/one"), 1, 2).view());
  tracker.OnData(second.In(Get("/two"), 3, 4).view());
  tracker.OnData(second.Out(Ok(), 5, 6).view());
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].target(), "/two");
  EXPECT_EQ(tracker.connection_count(), 2u);
}

TEST_F(TrackerTest, IdleConnectionsExpireAndCountUnpairedRequests) {
  EventGenerator server(ZT_ROLE_SERVER);
  tracker.OnData(server.In(Get("/hang"), 1, 2).view());
  tracker.Expire(2 + TrackerLimits{}.idle_timeout_ns + 1);
  EXPECT_EQ(tracker.connection_count(), 0u);
  EXPECT_EQ(Http1Stats().unpaired_requests, 1u);
}

TEST_F(TrackerTest, GarbageOnAConnectionIsSkippedAndParsingRecovers) {
  EventGenerator server(ZT_ROLE_SERVER);
  tracker.OnData(server.In(std::string("\x16\x03\x01\x00\xff binary", 12), 1, 2).view());
  tracker.OnData(server.In(Get("/after"), 3, 4).view());
  tracker.OnData(server.Out(Ok(), 5, 6).view());
  ASSERT_EQ(exchanges.size(), 1u);
  EXPECT_EQ(exchanges[0].target(), "/after");
}

TEST_F(TrackerTest, EachConnectionGoesToTheSessionOfItsProtocol) {
  EventGenerator web(ZT_ROLE_CLIENT, 100, 7, 1, ZT_PROTO_HTTP1);
  EventGenerator cache(ZT_ROLE_CLIENT, 100, 9, 1, ZT_PROTO_REDIS);
  tracker.OnData(cache.Out("*2\r\n$3\r\nGET\r\n$6\r\nuser:1\r\n", 1, 2).view());
  tracker.OnData(web.Out(Get("/w"), 3, 4).view());
  tracker.OnData(cache.In("$5\r\nhello\r\n", 5, 6).view());
  tracker.OnData(web.In(Ok(), 7, 8).view());
  ASSERT_EQ(exchanges.size(), 2u);
  EXPECT_EQ(exchanges[0].span.name, "GET");
  EXPECT_EQ(exchanges[0].String("db.system.name"), "redis");
  EXPECT_EQ(exchanges[0].String("db.query.text"), "GET user:1");
  EXPECT_EQ(exchanges[1].target(), "/w");
  const ProtocolStatsById stats = tracker.protocol_stats();
  EXPECT_EQ(stats[ZT_PROTO_REDIS].exchanges, 1u);
  EXPECT_EQ(stats[ZT_PROTO_HTTP1].exchanges, 1u);
}

TEST_F(TrackerTest, EventsOfAProtocolWithoutParserAreCountedNotTracked) {
  EventGenerator other(ZT_ROLE_CLIENT, 100, 7, 1, ZT_PROTO_OTHER);
  tracker.OnData(other.Out(Get("/x"), 1, 2).view());
  EXPECT_EQ(tracker.connection_count(), 0u);
  EXPECT_EQ(tracker.stats().events_unknown_protocol, 1u);
}

TEST_F(TrackerTest, ConnectionTableIsBounded) {
  ConnectionTracker small(&protocols::NewSession, recorder, TrackerLimits{.max_connections = 8});
  for (int fd = 0; fd < 100; ++fd) {
    EventGenerator server(ZT_ROLE_SERVER, 100, fd, 1);
    small.OnData(server.In(Get("/x"), static_cast<uint64_t>(fd), static_cast<uint64_t>(fd) + 1).view());
  }
  EXPECT_LE(small.connection_count(), 8u);
  EXPECT_EQ(small.stats().connections_evicted, 92u);
}

}  // namespace
}  // namespace zerotrace
