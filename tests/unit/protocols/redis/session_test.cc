// The Redis session: commands paired with replies into exchanges, through
// splits, pipelines, transactions, RESP3, pub/sub, errors, SELECT, holes in
// the capture and garbage.
#include "agent/protocols/redis/session.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "agent/model/ids.h"
#include "agent/model/semconv.h"
#include "agent/protocols/redis/matcher.h"
#include "tests/unit/protocols/redis/redis_test_support.h"

namespace zerotrace::redis {
namespace {

namespace sc = semconv;
using testing::Repeat;
using testing::Resp;
using testing::SessionHarness;
using testing::Str;

KernelTraceContext Context() {
  KernelTraceContext c;
  c.trace_id = NewTraceId();
  c.span_id = NewSpanId();
  c.parent_span_id = NewSpanId();
  c.link = TraceLink::kThread;
  return c;
}

TEST(RedisSession, OneCommandAndItsReplyAreOneExchange) {
  SessionHarness h;
  const KernelTraceContext ctx = Context();
  h.Send(Resp({"GET", "user:1"}), ctx);
  EXPECT_EQ(h.requests().size(), 1u);
  EXPECT_TRUE(h.exchanges().empty());
  EXPECT_EQ(h.session().pending(), 1u);
  h.Answer("$5\r\nalice\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  const auto& e = h.exchanges()[0];
  EXPECT_EQ(e.request_start.enter_ns, 100u);
  EXPECT_EQ(e.response_end.enter_ns, 200u);
  EXPECT_EQ(e.request_start.trace.span_id, ctx.span_id);
  EXPECT_EQ(e.request_start.trace.trace_id, ctx.trace_id);
  EXPECT_EQ(e.span.name, "GET");
  EXPECT_EQ(e.span.status, StatusCode::kUnset);
  EXPECT_EQ(Str(e.span, sc::kDbSystemName), "redis");
  EXPECT_EQ(Str(e.span, sc::kDbOperationName), "GET");
  EXPECT_EQ(Str(e.span, sc::kDbQueryText), "GET user:1");
  EXPECT_EQ(Str(e.span, sc::kDbNamespace), "0");
  EXPECT_EQ(h.session().pending(), 0u);
  EXPECT_EQ(h.stats().exchanges, 1u);
  EXPECT_EQ(h.stats().messages, 2u);
}

// The same stream cut into two chunks at every offset, command side and
// reply side, gives the same spans.
TEST(RedisSession, EverySplitOfCommandsAndRepliesGivesTheSameSpans) {
  const std::string commands = Resp({"SET", "k", "v"}) + Resp({"HGETALL", "h"}) + Resp({"INCR", "n"});
  const std::string replies = "+OK\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n:7\r\n";
  const std::vector<std::string> expected = {"SET", "HGETALL", "INCR"};
  for (size_t cut = 1; cut < commands.size(); ++cut) {
    SessionHarness h;
    h.Send(commands.substr(0, cut));
    h.Send(commands.substr(cut));
    h.Answer(replies);
    ASSERT_EQ(h.SpanNames(), expected) << "command cut at " << cut;
    EXPECT_EQ(Str(h.exchanges()[2].span, sc::kDbQueryText), "INCR n");
  }
  for (size_t cut = 1; cut < replies.size(); ++cut) {
    SessionHarness h;
    h.Send(commands);
    h.Answer(replies.substr(0, cut));
    h.Answer(replies.substr(cut));
    ASSERT_EQ(h.SpanNames(), expected) << "reply cut at " << cut;
    EXPECT_EQ(h.stats().unpaired_responses + h.stats().unpaired_requests, 0u);
  }
}

TEST(RedisSession, PipelineOfTenInOneChunkSharesTheTraceWithDistinctSpans) {
  SessionHarness h;
  const KernelTraceContext ctx = Context();
  std::string pipeline, replies;
  for (int i = 0; i < 10; ++i) {
    pipeline += Resp({"GET", "key:" + std::to_string(i)});
    replies += ":" + std::to_string(i) + "\r\n";
  }
  h.Send(pipeline, ctx);
  h.Answer(replies);
  ASSERT_EQ(h.exchanges().size(), 10u);
  std::set<SpanId> span_ids;
  for (int i = 0; i < 10; ++i) {
    const KernelTraceContext& t = h.exchanges()[i].request_start.trace;
    EXPECT_EQ(t.trace_id, ctx.trace_id);
    EXPECT_EQ(t.parent_span_id, ctx.parent_span_id);
    EXPECT_EQ(t.link, ctx.link);
    span_ids.insert(t.span_id);
    EXPECT_EQ(Str(h.exchanges()[i].span, sc::kDbQueryText), "GET key:" + std::to_string(i));
  }
  EXPECT_EQ(h.exchanges()[0].request_start.trace.span_id, ctx.span_id);  // the kernel's, first
  EXPECT_EQ(span_ids.size(), 10u);
}

TEST(RedisSession, PipelineOfHundredPairsInOrderWhateverTheReplyChunks) {
  std::string pipeline, replies;
  for (int i = 0; i < 100; ++i) {
    pipeline += Resp({"INCRBY", "counter:" + std::to_string(i), "1"});
    replies += ":" + std::to_string(i) + "\r\n";
  }
  for (size_t step : {size_t{1}, size_t{7}, size_t{64}, replies.size()}) {
    SessionHarness h;
    h.Send(pipeline, Context());
    for (size_t pos = 0; pos < replies.size(); pos += step) h.Answer(replies.substr(pos, step));
    ASSERT_EQ(h.exchanges().size(), 100u) << "reply chunks of " << step;
    for (int i = 0; i < 100; ++i)
      EXPECT_EQ(Str(h.exchanges()[i].span, sc::kDbQueryText), "INCRBY counter:" + std::to_string(i) + " ?");
    EXPECT_EQ(h.stats().exchanges, 100u);
  }
}

TEST(RedisSession, CommandBegunInAChunkWithoutContextHasNone) {
  SessionHarness h;
  const KernelTraceContext ctx = Context();
  const std::string first = Resp({"GET", "a"});
  h.Send(first.substr(0, 5), ctx);  // the first command's start, with the kernel's context
  h.Send(first.substr(5) + Resp({"GET", "b"}));  // its end, and a command begun here: none
  h.Answer(":1\r\n:2\r\n");
  ASSERT_EQ(h.exchanges().size(), 2u);
  EXPECT_EQ(h.exchanges()[0].request_start.trace.span_id, ctx.span_id);
  EXPECT_FALSE(h.exchanges()[1].request_start.trace.valid());
}

TEST(RedisSession, TransactionPairsQueuedRepliesAndExecInOrder) {
  SessionHarness h;
  h.Send(Resp({"MULTI"}) + Resp({"INCR", "a"}) + Resp({"SET", "b", "secret"}) + Resp({"EXEC"}));
  h.Answer("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n+OK\r\n");
  EXPECT_EQ(h.SpanNames(), (std::vector<std::string>{"MULTI", "INCR", "SET", "EXEC"}));
  EXPECT_EQ(h.stats().exchanges, 4u);
}

TEST(RedisSession, Resp3RepliesOfEveryKindPair) {
  SessionHarness h;
  h.Send(Resp({"HELLO", "3"}));
  h.Answer("%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"HGETALL", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"},
      {"SMEMBERS", "~2\r\n$1\r\na\r\n$1\r\nb\r\n"},
      {"GET", "_\r\n"},
      {"ZSCORE", ",3.5\r\n"},
      {"DEBUG", "(12345678901234567890\r\n"},
      {"LOLWUT", "=9\r\ntxt:hello\r\n"},
      {"EXISTS", "#t\r\n"},
      {"TTL", "|1\r\n+ttl\r\n:10\r\n:10\r\n"},
  };
  std::string commands, replies;
  for (const auto& [name, reply] : cases) {
    commands += Resp({name, "k"});
    replies += reply;
  }
  h.Send(commands);
  h.Answer(replies);
  ASSERT_EQ(h.exchanges().size(), cases.size() + 1);
  for (size_t i = 0; i < cases.size(); ++i) EXPECT_EQ(h.exchanges()[i + 1].span.name, cases[i].first);
}

TEST(RedisSession, PushesAreNeverPaired) {
  SessionHarness h;
  h.Send(Resp({"CLIENT", "TRACKING", "on"}) + Resp({"GET", "a"}));
  h.Answer("+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n$1\r\nx\r\n");
  ASSERT_EQ(h.exchanges().size(), 2u);
  EXPECT_EQ(h.exchanges()[1].span.name, "GET");
  EXPECT_EQ(h.exchanges()[1].response_end.enter_ns, 200u);
  EXPECT_EQ(h.stats().unpaired_responses, 0u);
}

TEST(RedisSession, Resp2SubscribeStopsPairingForGood) {
  SessionHarness h;
  h.Send(Resp({"GET", "a"}) + Resp({"SUBSCRIBE", "news", "sport"}));
  h.Answer("$1\r\nx\r\n");  // GET's reply came before pub/sub mode
  h.Answer("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n");
  h.Answer("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  h.Send(Resp({"PING"}));
  h.Answer("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  h.Send(Resp({"UNSUBSCRIBE"}));
  h.Answer("*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n");
  h.Send(Resp({"GET", "b"}));
  h.Answer("$1\r\ny\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  EXPECT_EQ(h.exchanges()[0].span.name, "GET");
  EXPECT_EQ(h.stats().unpaired_requests, 4u);   // SUBSCRIBE, PING, UNSUBSCRIBE, GET b
  EXPECT_EQ(h.stats().unpaired_responses, 6u);  // all that came after GET's reply
  EXPECT_EQ(h.session().pending(), 0u);
}

TEST(RedisSession, Resp3SubscribeIsAnsweredByPushesAndPairingGoesOn) {
  SessionHarness h;
  h.Send(Resp({"HELLO", "3"}));
  h.Answer("%1\r\n$5\r\nproto\r\n:3\r\n");
  h.Send(Resp({"SUBSCRIBE", "news"}));
  h.Answer(">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
  h.Send(Resp({"GET", "a"}));
  h.Answer(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n$1\r\nx\r\n");
  EXPECT_EQ(h.SpanNames(), (std::vector<std::string>{"HELLO", "GET"}));
  EXPECT_EQ(h.stats().unpaired_requests + h.stats().unpaired_responses, 0u);
}

TEST(RedisSession, SubscribeBeforeTheVersionIsKnownNeverPairsWrongly) {
  // HELLO 3 pipelined with SUBSCRIBE: the version is learned too late.
  SessionHarness h;
  h.Send(Resp({"HELLO", "3"}) + Resp({"SUBSCRIBE", "news"}) + Resp({"GET", "a"}));
  h.Answer("%1\r\n$5\r\nproto\r\n:3\r\n>3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n$1\r\nx\r\n");
  EXPECT_EQ(h.SpanNames(), (std::vector<std::string>{"HELLO"}));
}

TEST(RedisSession, MonitorIsPairedWithItsOkThenPairingStops) {
  SessionHarness h;
  h.Send(Resp({"MONITOR"}));
  h.Answer("+OK\r\n+1700000000.123456 [0 127.0.0.1:5000] \"GET\" \"a\"\r\n");
  h.Send(Resp({"PING"}));
  EXPECT_EQ(h.SpanNames(), (std::vector<std::string>{"MONITOR"}));
  EXPECT_EQ(h.stats().unpaired_responses, 1u);
  EXPECT_EQ(h.stats().unpaired_requests, 1u);
}

TEST(RedisSession, ClientReplyStopsPairing) {
  SessionHarness h;
  h.Send(Resp({"CLIENT", "REPLY", "SKIP"}) + Resp({"SET", "a", "1"}) + Resp({"GET", "a"}));
  h.Answer("$1\r\n1\r\n");
  EXPECT_TRUE(h.exchanges().empty());
}

TEST(RedisSession, ErrorReplyIsAnErrorSpanWithItsCodeNeverItsMessage) {
  SessionHarness h;
  h.Send(Resp({"INCR", "name"}) + Resp({"EVAL", "return redis.call('x')", "0"}) + Resp({"GET", "a"}));
  h.Answer("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  h.Answer("!34\r\nERR user_script:1: secret-ish here\r\n");
  h.Answer("-lowercase message with s3cr3t\r\n");
  ASSERT_EQ(h.exchanges().size(), 3u);
  const Span& wrongtype = h.exchanges()[0].span;
  EXPECT_EQ(wrongtype.status, StatusCode::kError);
  EXPECT_EQ(Str(wrongtype, sc::kDbResponseStatusCode), "WRONGTYPE");
  EXPECT_EQ(Str(wrongtype, sc::kErrorType), "WRONGTYPE");
  EXPECT_TRUE(wrongtype.status_message.empty());
  const Span& blob = h.exchanges()[1].span;
  EXPECT_EQ(blob.status, StatusCode::kError);
  EXPECT_EQ(Str(blob, sc::kDbResponseStatusCode), "ERR");
  const Span& uncoded = h.exchanges()[2].span;
  EXPECT_EQ(uncoded.status, StatusCode::kError);
  EXPECT_FALSE(testing::Has(uncoded, sc::kDbResponseStatusCode));
  EXPECT_EQ(Str(uncoded, sc::kErrorType), "_OTHER");
  for (const auto& e : h.exchanges()) {
    const std::string all = testing::AllText(e.span);
    EXPECT_EQ(all.find("Operation"), std::string::npos) << all;
    EXPECT_EQ(all.find("secret"), std::string::npos) << all;
    EXPECT_EQ(all.find("s3cr3t"), std::string::npos) << all;
    EXPECT_EQ(all.find("redis.call"), std::string::npos) << all;
  }
}

TEST(RedisSession, SelectSetsTheNamespaceOfLaterCommands) {
  SessionHarness h;
  h.Send(Resp({"GET", "a"}) + Resp({"SELECT", "3"}) + Resp({"GET", "b"}) + Resp({"SELECT", "99"}) +
         Resp({"GET", "c"}));
  h.Answer("$-1\r\n+OK\r\n$-1\r\n-ERR DB index is out of range\r\n$-1\r\n");
  ASSERT_EQ(h.exchanges().size(), 5u);
  EXPECT_EQ(Str(h.exchanges()[0].span, sc::kDbNamespace), "0");
  EXPECT_EQ(Str(h.exchanges()[1].span, sc::kDbNamespace), "0");  // SELECT ran in the old one
  EXPECT_EQ(Str(h.exchanges()[2].span, sc::kDbNamespace), "3");
  EXPECT_EQ(Str(h.exchanges()[4].span, sc::kDbNamespace), "3");  // the failed SELECT changed nothing
  EXPECT_EQ(Str(h.exchanges()[1].span, sc::kDbQueryText), "SELECT ?");
}

TEST(RedisSession, NamespaceIsUnsetWhenTheConnectionStartWasNotSeen) {
  SessionHarness h;
  h.Gap(StreamSide::kRequests, 500);  // picked up mid-stream
  h.Send(Resp({"GET", "a"}));
  h.Answer("$-1\r\n");
  h.Send(Resp({"SELECT", "2"}) + Resp({"GET", "a"}));
  h.Answer("+OK\r\n$-1\r\n");
  ASSERT_EQ(h.exchanges().size(), 3u);
  EXPECT_FALSE(testing::Has(h.exchanges()[0].span, sc::kDbNamespace));
  EXPECT_EQ(Str(h.exchanges()[2].span, sc::kDbNamespace), "2");  // seen, so known
}

TEST(RedisSession, SelectInsideATransactionOrLostMakesTheNamespaceUnknown) {
  SessionHarness h;
  h.Send(Resp({"MULTI"}) + Resp({"SELECT", "5"}) + Resp({"EXEC"}) + Resp({"GET", "a"}));
  h.Answer("+OK\r\n+QUEUED\r\n*1\r\n+OK\r\n$-1\r\n");
  ASSERT_EQ(h.exchanges().size(), 4u);
  EXPECT_FALSE(testing::Has(h.exchanges()[3].span, sc::kDbNamespace));

  SessionHarness lost;
  lost.Send(Resp({"SELECT", "5"}));
  lost.Gap(StreamSide::kResponses, 5);  // its reply went by unseen
  lost.Send(Resp({"GET", "a"}));
  lost.Answer("$-1\r\n");
  ASSERT_EQ(lost.exchanges().size(), 1u);
  EXPECT_FALSE(testing::Has(lost.exchanges()[0].span, sc::kDbNamespace));
}

TEST(RedisSession, ReplyGapDropsTheCommandsWaitingAsUnpaired) {
  SessionHarness h;
  h.Send(Resp({"GET", "a"}) + Resp({"GET", "b"}));
  h.Gap(StreamSide::kResponses, 30);
  EXPECT_EQ(h.stats().unpaired_requests, 2u);
  EXPECT_EQ(h.session().pending(), 0u);
  h.Answer("$1\r\nx\r\n");  // may answer either: not paired
  h.Send(Resp({"GET", "c"}));
  h.Answer("$1\r\nz\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  EXPECT_EQ(Str(h.exchanges()[0].span, sc::kDbQueryText), "GET c");
  EXPECT_EQ(h.stats().resyncs, 1u);
}

TEST(RedisSession, CommandGapDropsTheRepliesWaiting) {
  SessionHarness h;
  h.Answer("+OK\r\n");  // a reply ahead of its command's event
  h.Gap(StreamSide::kRequests, 30);
  h.Send(Resp({"GET", "c"}));
  h.Answer("$1\r\nz\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  EXPECT_EQ(h.exchanges()[0].span.name, "GET");
  EXPECT_EQ(h.stats().unpaired_responses, 1u);
}

TEST(RedisSession, CaptureEndingInsideAValueKeepsPairing) {
  SessionHarness h;
  const std::string set = Resp({"SET", "blob", std::string(5000, 'v')});
  h.SendPrefix(set, 200);
  h.Send(Resp({"GET", "blob"}));
  h.Answer("+OK\r\n");
  const std::string value_reply = "$5000\r\n" + std::string(5000, 'v') + "\r\n";
  h.AnswerPrefix(value_reply, 300);
  EXPECT_EQ(h.SpanNames(), (std::vector<std::string>{"SET", "GET"}));
  EXPECT_EQ(Str(h.exchanges()[0].span, sc::kDbQueryText), "SET blob ?");
  EXPECT_EQ(h.stats().resyncs + h.stats().garbage_chunks, 0u);
}

TEST(RedisSession, CaptureEndingInsideALengthLineResyncsAtTheNextCommandChunk) {
  SessionHarness h;
  // A pipeline longer than the capture: the third command's header is cut.
  std::string pipeline = Resp({"GET", "a"}) + Resp({"GET", "b"});
  const size_t captured = pipeline.size() + 3;
  pipeline += Resp({"GET", "c"}) + Resp({"GET", "d"});
  h.SendPrefix(pipeline, captured);
  h.Answer("$1\r\n1\r\n$1\r\n2\r\n");  // a and b: paired, the loss came after them
  h.Answer("$1\r\n3\r\n$1\r\n4\r\n");  // c and d's commands were unseen
  h.Send(std::string(10, 'v'));       // not a command start
  h.Send(Resp({"GET", "e"}));
  h.Answer("$1\r\n5\r\n");
  EXPECT_EQ(h.SpanNames(), (std::vector<std::string>{"GET", "GET", "GET"}));
  EXPECT_EQ(Str(h.exchanges()[2].span, sc::kDbQueryText), "GET e");
  EXPECT_EQ(h.stats().resyncs, 1u);
  EXPECT_EQ(h.stats().garbage_chunks, 1u);
}

TEST(RedisSession, GarbageChunksAreCountedAndSkipped) {
  SessionHarness h;
  h.Send("PING\r\n");                         // inline, as telnet sends it
  h.Answer("+PONG\r\n");
  h.Send(std::string("\x16\x03\x01\x02\x00", 5));  // binary
  h.Send(Resp({"PING"}));
  h.Answer("+PONG\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  EXPECT_EQ(h.stats().garbage_chunks, 2u);
  EXPECT_EQ(h.stats().resyncs, 1u);
}

TEST(RedisSession, HalfGigabyteLengthLieIsCountedAndPairingContinues) {
  SessionHarness h;
  h.Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n");
  h.Chunk(StreamSide::kRequests, Repeat("x", 1000), uint64_t{536870912} + 2);
  h.Send(Resp({"GET", "k"}));
  h.Answer("+OK\r\n$-1\r\n");
  EXPECT_EQ(h.SpanNames(), (std::vector<std::string>{"SET", "GET"}));
  EXPECT_LE(h.session().pending(), 1u);
}

TEST(RedisSession, PendingCommandsAreBounded) {
  SessionHarness h;
  for (int i = 0; i < 1000; ++i) h.Send(Resp({"GET", "k"}));
  EXPECT_LE(h.session().pending(), Matcher::kLimits.max_pending_requests);
  EXPECT_EQ(h.stats().unpaired_requests, 1000u - Matcher::kLimits.max_pending_requests);
}

// Over the limit the oldest commands are dropped; their replies, which come
// first, must not be paired with the commands kept.
TEST(RedisSession, PipelineDeeperThanTheLimitPairsOnlyTheCommandsKept) {
  SessionHarness h;
  const size_t depth = Matcher::kLimits.max_pending_requests + 50;
  std::string pipeline, replies;
  for (size_t i = 0; i < depth; ++i) {
    pipeline += Resp({"GET", "k" + std::to_string(i)});
    replies += ":" + std::to_string(i) + "\r\n";
  }
  h.Send(pipeline);
  h.Answer(replies);
  ASSERT_EQ(h.exchanges().size(), Matcher::kLimits.max_pending_requests);
  EXPECT_EQ(Str(h.exchanges()[0].span, sc::kDbQueryText), "GET k50");
  EXPECT_EQ(h.stats().unpaired_requests, 50u);
  h.Send(Resp({"GET", "next"}));
  h.Answer(":0\r\n");
  EXPECT_EQ(Str(h.exchanges().back().span, sc::kDbQueryText), "GET next");
}

TEST(RedisSession, CloseAndFinishPendingCountWhatWaitsAsUnpaired) {
  SessionHarness closed;
  closed.Send(Resp({"BLPOP", "q", "0"}));
  closed.session().OnClose(closed.Next());
  EXPECT_EQ(closed.stats().unpaired_requests, 1u);
  EXPECT_EQ(closed.session().pending(), 0u);

  SessionHarness ended;
  ended.Send(Resp({"BLPOP", "q", "0"}));
  ended.session().FinishPending();
  EXPECT_EQ(ended.stats().unpaired_requests, 1u);
}

TEST(RedisSession, ServerSideSpansNameThisEndAsTheServer) {
  ConnectionInfo server;
  server.role = ConnectionRole::kServer;
  server.local_address = "10.0.0.9";
  server.local_port = 6379;
  server.peer_address = "10.0.0.2";
  server.peer_port = 40000;
  SessionHarness h(server);
  h.Send(Resp({"PING"}));
  h.Answer("+PONG\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  const Span& s = h.exchanges()[0].span;
  EXPECT_EQ(Str(s, sc::kServerAddress), "10.0.0.9");
  EXPECT_EQ(testing::Int(s, sc::kServerPort), 6379);
  EXPECT_EQ(Str(s, sc::kNetworkPeerAddress), "10.0.0.2");
  EXPECT_EQ(testing::Int(s, sc::kNetworkPeerPort), 40000);
}

}  // namespace
}  // namespace zerotrace::redis
