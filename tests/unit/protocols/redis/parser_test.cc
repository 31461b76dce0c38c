// RESP framing over captured chunks: what the parser must report for every
// RESP2/RESP3 type, arbitrary splits, values running past the capture, holes
// in framing, garbage, lying lengths and deep nesting.
#include "agent/protocols/redis/parser.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/protocols/redis/redis_test_support.h"

// The largest single allocation while a test watches: "a lying length
// allocates nothing proportional" is checked, not assumed.
namespace {
std::atomic<bool> g_watch_allocations{false};
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

void* operator new(std::size_t size) {
  if (g_watch_allocations.load(std::memory_order_relaxed)) {
    size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
    while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
    }
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace zerotrace::redis {
namespace {

using testing::Bytes;
using testing::RecordingSink;
using testing::Repeat;
using testing::Resp;

ChunkTiming At(uint64_t n) { return ChunkTiming{n * 100, n * 100 + 10, 7}; }

class ParserTest : public ::testing::Test {
 protected:
  void Commands(std::string_view s, uint64_t n = 1) { commands_.Feed(Bytes(s), s.size(), At(n)); }
  void CommandsPrefix(std::string_view s, size_t captured, uint64_t n = 1) {
    commands_.Feed(Bytes(s.substr(0, captured)), s.size(), At(n));
  }
  void Replies(std::string_view s, uint64_t n = 1) { replies_.Feed(Bytes(s), s.size(), At(n)); }
  void RepliesPrefix(std::string_view s, size_t captured, uint64_t n = 1) {
    replies_.Feed(Bytes(s.substr(0, captured)), s.size(), At(n));
  }

  RecordingSink sink_;
  ProtocolStats stats_;
  Parser commands_{StreamSide::kRequests, sink_, stats_};
  Parser replies_{StreamSide::kResponses, sink_, stats_};
};

// ---------------------------------------------------------------- commands

TEST_F(ParserTest, CommandKeepsUpperCasedNameFirstArgumentAndArgumentCount) {
  Commands(Resp({"set", "user:1", "secret-value", "EX", "10"}));
  ASSERT_EQ(sink_.commands.size(), 1u);
  const Command& c = sink_.commands[0];
  EXPECT_EQ(c.name.view(), "SET");
  EXPECT_EQ(c.first_arg.view(), "user:1");
  EXPECT_FALSE(c.first_arg.cut);
  EXPECT_EQ(c.arg_count, 4u);
  EXPECT_EQ(c.first_chunk.enter_ns, 100u);
  EXPECT_EQ(c.last_chunk.enter_ns, 100u);
  EXPECT_EQ(stats_.messages, 1u);
  EXPECT_TRUE(commands_.in_sync());
}

TEST_F(ParserTest, CommandSplitAtEveryByteIsFramedTheSame) {
  const std::string wire = Resp({"HSET", "h", "field", "value"}) + Resp({"PING"});
  for (size_t cut = 1; cut < wire.size(); ++cut) {
    RecordingSink sink;
    ProtocolStats stats;
    Parser p(StreamSide::kRequests, sink, stats);
    const std::string_view w(wire);
    p.Feed(Bytes(w.substr(0, cut)), cut, At(1));
    p.Feed(Bytes(w.substr(cut)), wire.size() - cut, At(2));
    ASSERT_EQ(sink.commands.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(sink.commands[0].name.view(), "HSET");
    EXPECT_EQ(sink.commands[0].first_arg.view(), "h");
    EXPECT_EQ(sink.commands[0].arg_count, 3u);
    EXPECT_EQ(sink.commands[1].name.view(), "PING");
    EXPECT_EQ(sink.commands[0].first_chunk.enter_ns, 100u);
    EXPECT_EQ(stats.garbage_chunks + stats.resyncs, 0u) << "cut at " << cut;
    EXPECT_EQ(sink.losses, 0);
  }
}

TEST_F(ParserTest, LongNameAndFirstArgumentAreKeptCut) {
  const std::string key(1000, 'k');
  Commands(Resp({Repeat("X", 40), key}));
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_TRUE(sink_.commands[0].name.cut);
  EXPECT_FALSE(sink_.commands[0].name_known());
  EXPECT_EQ(sink_.commands[0].first_arg.size, kMaxFirstArgBytes);
  EXPECT_TRUE(sink_.commands[0].first_arg.cut);
}

TEST_F(ParserTest, ValueRunningPastTheCaptureIsSkippedByCountAndFramingGoesOn) {
  // SET k <5000-byte value> in one write, of which 100 bytes were captured.
  const std::string set = Resp({"SET", "k", std::string(5000, 'v')});
  CommandsPrefix(set, 100, 1);
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_EQ(sink_.commands[0].name.view(), "SET");
  EXPECT_EQ(sink_.commands[0].last_chunk.enter_ns, 100u);
  EXPECT_FALSE(sink_.commands[0].end_unseen);
  Commands(Resp({"GET", "k"}), 2);
  ASSERT_EQ(sink_.commands.size(), 2u);
  EXPECT_EQ(sink_.commands[1].name.view(), "GET");
  EXPECT_EQ(sink_.losses, 0);
  EXPECT_TRUE(commands_.in_sync());
}

TEST_F(ParserTest, ValueSpreadOverManyPartlyCapturedWritesIsFollowed) {
  // A 12000-byte value written in three syscalls, each captured to 50 bytes.
  const std::string head = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$12000\r\n";
  commands_.Feed(Bytes(head), head.size(), At(1));
  const std::string part(50, 'v');
  commands_.Feed(Bytes(part), 4000, At(2));
  commands_.Feed(Bytes(part), 4000, At(3));
  EXPECT_TRUE(sink_.commands.empty());
  commands_.Feed(Bytes(part), 4002, At(4));  // the last 4000 bytes and CRLF
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_EQ(sink_.commands[0].first_chunk.enter_ns, 100u);
  EXPECT_EQ(sink_.commands[0].last_chunk.enter_ns, 400u);
  Commands(Resp({"PING"}), 5);
  EXPECT_EQ(sink_.commands.size(), 2u);
  EXPECT_EQ(sink_.losses, 0);
}

TEST_F(ParserTest, CaptureEndingInALengthLineLosesFramingUntilAChunkStartsACommand) {
  // The capture ends inside "$5000": where the value ends is unknown.
  const std::string set = Resp({"SET", "k", std::string(5000, 'v')});
  CommandsPrefix(set, set.find("$5000") + 3, 1);
  EXPECT_TRUE(sink_.commands.empty());
  EXPECT_EQ(sink_.losses, 1);
  EXPECT_FALSE(commands_.in_sync());
  // The rest of the value arrives in a later write: not a command start.
  Commands(std::string(700, 'v') + "\r\n", 2);
  EXPECT_TRUE(sink_.commands.empty());
  EXPECT_EQ(stats_.garbage_chunks, 1u);
  Commands(Resp({"GET", "k"}), 3);
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_EQ(sink_.commands[0].name.view(), "GET");
  EXPECT_EQ(stats_.resyncs, 1u);
  EXPECT_TRUE(commands_.in_sync());
}

TEST_F(ParserTest, ResyncNeedsAnArrayOfBulkStringsStartingWithALetter) {
  commands_.Gap(10);
  EXPECT_FALSE(commands_.in_sync());
  for (std::string_view not_a_start : {"*1\r\n$4\r\n1234\r\n", "*1\r\n:4\r\n", "*1\r\n", "$4\r\nPING\r\n",
                                       "*x\r\n$4\r\nPING\r\n"}) {
    Commands(not_a_start);
    EXPECT_FALSE(commands_.in_sync()) << not_a_start;
  }
  EXPECT_TRUE(sink_.commands.empty());
  Commands(Resp({"PING"}));
  EXPECT_EQ(sink_.commands.size(), 1u);
}

TEST_F(ParserTest, InlineAndBinaryChunksAreGarbage) {
  Commands("PING\r\n", 1);
  Commands(std::string("\x00\xff\x16\x03\x01", 5), 2);
  EXPECT_TRUE(sink_.commands.empty());
  EXPECT_EQ(stats_.garbage_chunks, 2u);
  Commands(Resp({"PING"}), 3);
  EXPECT_EQ(sink_.commands.size(), 1u);
  EXPECT_EQ(stats_.resyncs, 1u);
}

TEST_F(ParserTest, GarbageAfterACommandInTheSameChunkKeepsTheCommand) {
  Commands(Resp({"GET", "a"}) + "junk\r\n");
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_EQ(stats_.garbage_chunks, 1u);
  EXPECT_FALSE(commands_.in_sync());
}

TEST_F(ParserTest, CommandsNeverCarryNullsOrNegativeLengths) {
  for (std::string_view bad : {"*2\r\n$3\r\nGET\r\n$-1\r\n", "*-1\r\n", "*2\r\n$-5\r\n", "*1\r\n$--1\r\n"}) {
    RecordingSink sink;
    ProtocolStats stats;
    Parser p(StreamSide::kRequests, sink, stats);
    p.Feed(Bytes(bad), bad.size(), At(1));
    EXPECT_TRUE(sink.commands.empty()) << bad;
    EXPECT_FALSE(p.in_sync()) << bad;
  }
}

TEST_F(ParserTest, EmptyMultibulkIsSkippedLikeRedisDoes) {
  Commands("*0\r\n" + Resp({"PING"}));
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_EQ(sink_.commands[0].name.view(), "PING");
}

TEST_F(ParserTest, LengthsBeyondRedisLimitsAreNotResp) {
  for (std::string_view bad : {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n", "*2147483648\r\n",
                               "*99999999999\r\n", "*1\r\n$18446744073709551617\r\n"}) {
    RecordingSink sink;
    ProtocolStats stats;
    Parser p(StreamSide::kRequests, sink, stats);
    p.Feed(Bytes(bad), bad.size(), At(1));
    EXPECT_FALSE(p.in_sync()) << bad;
    EXPECT_EQ(stats.garbage_chunks, 1u) << bad;
  }
}

TEST_F(ParserTest, HalfGigabyteBulkLengthIsCountedNeverAllocated) {
  const std::string lie = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n";
  const std::string junk(4096, 'x');
  const std::string ping = Resp({"PING"});
  g_largest_allocation = 0;
  g_watch_allocations = true;
  Commands(lie, 1);
  // What follows is taken as the value, as Redis itself would: counted down.
  commands_.Feed(Bytes(junk), uint64_t{536870912} - 4096, At(2));
  const bool framed_early = !sink_.commands.empty();
  commands_.Feed(Bytes(junk), 4096 + 2, At(3));  // the value's end, then its CRLF unseen
  Commands(ping, 4);
  g_watch_allocations = false;
  EXPECT_FALSE(framed_early);
  ASSERT_EQ(sink_.commands.size(), 2u);
  EXPECT_EQ(sink_.commands[0].name.view(), "SET");
  EXPECT_EQ(sink_.commands[1].name.view(), "PING");
  // The sink's vector grows by a Command or two; nothing near the length.
  EXPECT_LT(g_largest_allocation.load(), size_t{4096});
}

TEST_F(ParserTest, HugeBulkLengthThenALostEventEndsTheValueInsideTheHole) {
  Commands("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n", 1);
  commands_.Gap(uint64_t{1} << 30);  // the value ends in the hole, then framing is lost
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_TRUE(sink_.commands[0].end_unseen);
  EXPECT_EQ(sink_.commands[0].last_chunk.enter_ns, 100u);
  EXPECT_FALSE(commands_.in_sync());
  EXPECT_EQ(sink_.losses, 1);
  Commands(Resp({"GET", "k"}), 2);
  ASSERT_EQ(sink_.commands.size(), 2u);
  EXPECT_EQ(sink_.commands[1].name.view(), "GET");
}

TEST_F(ParserTest, GapInsideAValueIsAbsorbedByCount) {
  const std::string head = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n";
  Commands(head + std::string(30, 'v'), 1);
  commands_.Gap(50);
  Commands(std::string(20, 'v') + "\r\n" + Resp({"PING"}), 2);
  ASSERT_EQ(sink_.commands.size(), 2u);
  EXPECT_EQ(sink_.losses, 0);
  EXPECT_FALSE(sink_.commands[0].end_unseen);
}

TEST_F(ParserTest, MessageEndingInsideAGapIsReportedWithItsEndUnseen) {
  Replies("$100\r\n" + std::string(30, 'v'), 1);
  replies_.Gap(72);  // the value's last 70 bytes and CRLF
  ASSERT_EQ(sink_.replies.size(), 1u);
  EXPECT_TRUE(sink_.replies[0].end_unseen);
  EXPECT_EQ(sink_.replies[0].last_chunk.enter_ns, 100u);
  EXPECT_TRUE(replies_.in_sync());
}

TEST_F(ParserTest, GapBetweenMessagesLosesFraming) {
  Commands(Resp({"PING"}), 1);
  commands_.Gap(14);
  EXPECT_FALSE(commands_.in_sync());
  EXPECT_EQ(sink_.losses, 1);
  commands_.Gap(14);  // still lost: the session hears again
  EXPECT_EQ(sink_.losses, 2);
}

// ---------------------------------------------------------------- replies

struct ReplyCase {
  std::string wire;
  ReplyKind kind;
};

std::vector<ReplyCase> EveryReplyKind() {
  return {
      {"+OK\r\n", ReplyKind::kSimpleString},
      {"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ReplyKind::kError},
      {":-42\r\n", ReplyKind::kInteger},
      {"$5\r\nhello\r\n", ReplyKind::kBulkString},
      {"$0\r\n\r\n", ReplyKind::kBulkString},
      {"$-1\r\n", ReplyKind::kNull},
      {"*-1\r\n", ReplyKind::kNull},
      {"_\r\n", ReplyKind::kNull},
      {"*0\r\n", ReplyKind::kArray},
      {"*2\r\n*2\r\n:1\r\n$1\r\na\r\n*0\r\n", ReplyKind::kArray},
      {"%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n#t\r\n", ReplyKind::kMap},
      {"~3\r\n+a\r\n+b\r\n,3.14\r\n", ReplyKind::kSet},
      {"#f\r\n", ReplyKind::kBoolean},
      {",-inf\r\n", ReplyKind::kDouble},
      {",1.5e10\r\n", ReplyKind::kDouble},
      {"(3492890328409238509324850943850943825024385\r\n", ReplyKind::kBigNumber},
      {"!21\r\nSYNTAX invalid syntax\r\n", ReplyKind::kBlobError},
      {"=15\r\ntxt:Some string\r\n", ReplyKind::kVerbatim},
      {">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n", ReplyKind::kPush},
      // An attribute annotates the reply after it and is not itself one.
      {"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n", ReplyKind::kArray},
      {"*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n", ReplyKind::kArray},
      {"|0\r\n:7\r\n", ReplyKind::kInteger},
  };
}

TEST_F(ParserTest, EveryReplyKindIsFramedAsOneReply) {
  for (const ReplyCase& c : EveryReplyKind()) {
    RecordingSink sink;
    ProtocolStats stats;
    Parser p(StreamSide::kResponses, sink, stats);
    p.Feed(Bytes(c.wire), c.wire.size(), At(1));
    ASSERT_EQ(sink.replies.size(), 1u) << c.wire;
    EXPECT_EQ(sink.replies[0].kind, c.kind) << c.wire;
    EXPECT_TRUE(p.in_sync()) << c.wire;
  }
}

TEST_F(ParserTest, EveryReplyKindSplitAtEveryByteIsFramedTheSame) {
  for (const ReplyCase& c : EveryReplyKind()) {
    const std::string wire = c.wire + ":1\r\n";  // and a reply behind it
    for (size_t cut = 1; cut < wire.size(); ++cut) {
      RecordingSink sink;
      ProtocolStats stats;
      Parser p(StreamSide::kResponses, sink, stats);
      const std::string_view w(wire);
      p.Feed(Bytes(w.substr(0, cut)), cut, At(1));
      p.Feed(Bytes(w.substr(cut)), wire.size() - cut, At(2));
      ASSERT_EQ(sink.replies.size(), 2u) << c.wire << " cut at " << cut;
      EXPECT_EQ(sink.replies[0].kind, c.kind) << c.wire << " cut at " << cut;
      EXPECT_EQ(sink.replies[1].kind, ReplyKind::kInteger);
      EXPECT_EQ(sink.losses, 0);
    }
  }
}

TEST_F(ParserTest, ErrorRepliesKeepTheirFirstBytes) {
  Replies("-WRONGTYPE Operation against a key\r\n!21\r\nSYNTAX invalid syntax\r\n");
  ASSERT_EQ(sink_.replies.size(), 2u);
  EXPECT_EQ(sink_.replies[0].head.view(), "WRONGTYPE Operation against a ke");
  EXPECT_TRUE(sink_.replies[0].head.cut);
  EXPECT_EQ(sink_.replies[1].head.view(), "SYNTAX invalid syntax");
  EXPECT_TRUE(sink_.replies[1].is_error());
}

TEST_F(ParserTest, MalformedLinesAreNotResp) {
  for (std::string_view bad : {":12a\r\n", ":\r\n", "#x\r\n", "#tt\r\n", "_x\r\n", ",\r\n", "+a\rb\r\n",
                               "$3\r\nabcd\r\n", "$-2\r\n", "%-1\r\n", "?3\r\n", "x\r\n"}) {
    RecordingSink sink;
    ProtocolStats stats;
    Parser p(StreamSide::kResponses, sink, stats);
    p.Feed(Bytes(bad), bad.size(), At(1));
    EXPECT_TRUE(sink.replies.empty()) << bad;
    EXPECT_FALSE(p.in_sync()) << bad;
  }
}

TEST_F(ParserTest, ReplyResyncsAtAChunkStartingWithAWellFormedFirstLine) {
  replies_.Gap(100);
  for (std::string_view not_a_start : {"hello\r\n", "$abc\r\n", ":1", "#x\r\n", "*-3\r\n"}) {
    Replies(not_a_start);
    EXPECT_FALSE(replies_.in_sync()) << not_a_start;
  }
  Replies(":1\r\n");
  ASSERT_EQ(sink_.replies.size(), 1u);
  EXPECT_EQ(stats_.resyncs, 1u);
}

TEST_F(ParserTest, HugeAggregateCountIsCountedNeverAllocated) {
  const std::string array = "*2147483647\r\n:1\r\n:2\r\n";
  const std::string map = "%2147483647\r\n+k\r\n+v\r\n";
  g_largest_allocation = 0;
  g_watch_allocations = true;
  Replies(array);
  Replies(map);
  g_watch_allocations = false;
  EXPECT_TRUE(sink_.replies.empty());
  EXPECT_TRUE(replies_.in_sync());
  EXPECT_LT(g_largest_allocation.load(), size_t{4096});
}

TEST_F(ParserTest, NestingDeeperThanTheCapLosesFraming) {
  const std::string deepest_allowed = Repeat("*1\r\n", Parser::kMaxDepth) + ":1\r\n";
  Replies(deepest_allowed);
  EXPECT_EQ(sink_.replies.size(), 1u);
  Replies(Repeat("*1\r\n", Parser::kMaxDepth + 1) + ":1\r\n");
  EXPECT_EQ(sink_.replies.size(), 1u);
  EXPECT_FALSE(replies_.in_sync());
  EXPECT_EQ(stats_.garbage_chunks, 1u);
  Replies("+OK\r\n");
  EXPECT_EQ(sink_.replies.size(), 2u);
}

TEST_F(ParserTest, ReplyLineRunningPastTheCaptureLosesFraming) {
  RepliesPrefix("+OK\r\n-ERR something long\r\n", 10, 1);
  EXPECT_EQ(sink_.replies.size(), 1u);
  EXPECT_FALSE(replies_.in_sync());
  EXPECT_EQ(sink_.losses, 1);
}

TEST_F(ParserTest, ReplyBulkRunningPastTheCaptureIsSkippedByCount) {
  const std::string big = "$10000\r\n" + std::string(10000, 'x') + "\r\n";
  RepliesPrefix(big, 4096, 1);
  ASSERT_EQ(sink_.replies.size(), 1u);
  EXPECT_EQ(sink_.replies[0].kind, ReplyKind::kBulkString);
  EXPECT_TRUE(replies_.in_sync());
}

TEST_F(ParserTest, ResetForgetsTheMessageInProgress) {
  Commands("*2\r\n$3\r\nGET\r\n");
  commands_.Reset();
  Commands(Resp({"PING"}));
  ASSERT_EQ(sink_.commands.size(), 1u);
  EXPECT_EQ(sink_.commands[0].name.view(), "PING");
}

TEST_F(ParserTest, CommandsBegunInOneChunkAreMarkedAfterTheFirst) {
  Commands(Resp({"GET", "a"}) + Resp({"GET", "b"}) + "*2\r\n$3\r\nGET", 1);
  Commands("\r\n$1\r\nc\r\n" + Resp({"GET", "d"}), 2);
  ASSERT_EQ(sink_.commands.size(), 4u);
  EXPECT_TRUE(sink_.commands[0].first_in_chunk);
  EXPECT_FALSE(sink_.commands[1].first_in_chunk);
  EXPECT_FALSE(sink_.commands[2].first_in_chunk);
  EXPECT_EQ(sink_.commands[2].first_chunk.enter_ns, 100u);
  EXPECT_EQ(sink_.commands[2].last_chunk.enter_ns, 200u);
  EXPECT_TRUE(sink_.commands[3].first_in_chunk);  // the first to begin in chunk 2
}

}  // namespace
}  // namespace zerotrace::redis
