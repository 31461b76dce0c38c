// What a Redis span says: operation, query text with keys but never values,
// capped and printable; error codes; the command table's choices.
#include "agent/protocols/redis/span_mapping.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "agent/model/semconv.h"
#include "agent/protocols/redis/command_table.h"
#include "tests/unit/protocols/redis/redis_test_support.h"

namespace zerotrace::redis {
namespace {

namespace sc = semconv;
using testing::ParseCommand;
using testing::ParseReply;
using testing::Resp;

std::string QueryText(const std::string& wire) {
  std::string out;
  AppendQueryText(ParseCommand(wire), out);
  return out;
}

TEST(RedisQueryText, KeepsTheKeyAndHidesEveryOtherArgument) {
  EXPECT_EQ(QueryText(Resp({"SET", "user:1", "hunter2"})), "SET user:1 ?");
  EXPECT_EQ(QueryText(Resp({"set", "user:1", "hunter2", "EX", "60"})), "SET user:1 ? ? ?");
  EXPECT_EQ(QueryText(Resp({"HSET", "h", "field", "value"})), "HSET h ? ?");
  EXPECT_EQ(QueryText(Resp({"MGET", "a", "b", "c"})), "MGET a ? ?");
  EXPECT_EQ(QueryText(Resp({"PUBLISH", "news", "hello"})), "PUBLISH news ?");
  EXPECT_EQ(QueryText(Resp({"GET", ""})), "GET \"\"");
}

TEST(RedisQueryText, CommandsWhoseFirstArgumentIsNoKeyShowNone) {
  EXPECT_EQ(QueryText(Resp({"PING"})), "PING");
  EXPECT_EQ(QueryText(Resp({"AUTH", "hunter2"})), "AUTH ?");
  EXPECT_EQ(QueryText(Resp({"AUTH", "alice", "hunter2"})), "AUTH ? ?");
  EXPECT_EQ(QueryText(Resp({"HELLO", "3", "AUTH", "alice", "hunter2"})), "HELLO ? ? ? ?");
  EXPECT_EQ(QueryText(Resp({"SELECT", "2"})), "SELECT ?");
  EXPECT_EQ(QueryText(Resp({"EVAL", "return 1", "1", "k"})), "EVAL ? ? ?");
  EXPECT_EQ(QueryText(Resp({"EVALSHA", "abc123", "0"})), "EVALSHA ? ?");
  EXPECT_EQ(QueryText(Resp({"ZUNION", "2", "a", "b"})), "ZUNION ? ? ?");
  EXPECT_EQ(QueryText(Resp({"MODULE.SECRET", "token"})), "MODULE.SECRET ?");  // unknown: hidden
}

TEST(RedisQueryText, ContainerCommandsShowTheirSubcommandOnly) {
  EXPECT_EQ(QueryText(Resp({"CONFIG", "set", "requirepass", "hunter2"})), "CONFIG SET ? ?");
  EXPECT_EQ(QueryText(Resp({"CLIENT", "SETNAME", "worker-1"})), "CLIENT SETNAME ?");
  EXPECT_EQ(QueryText(Resp({"ACL", "SETUSER", "alice", ">hunter2"})), "ACL SETUSER ? ?");
  EXPECT_EQ(QueryText(Resp({"CLIENT", "not a keyword!"})), "CLIENT ?");
}

TEST(RedisQueryText, ManyArgumentsAreCappedWithAnEllipsis) {
  std::vector<std::string> args = {"MSET"};
  for (int i = 0; i < 10000; ++i) args.push_back("value" + std::to_string(i));
  const std::string text = QueryText(Resp(args));
  EXPECT_LE(text.size(), 512u);
  EXPECT_TRUE(text.starts_with("MSET value0 ? ?")) << text;
  EXPECT_TRUE(text.ends_with(" ? ...")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '?'), kMaxPlaceholders - 1);
}

TEST(RedisQueryText, KeyIsCappedAndPrintable) {
  const std::string long_key(1000, 'k');
  const std::string text = QueryText(Resp({"GET", long_key}));
  EXPECT_EQ(text, "GET " + std::string(kMaxFirstArgBytes, 'k') + "...");
  EXPECT_EQ(QueryText(Resp({"GET", std::string("a\x01\xff\nb", 5)})), "GET a___b");
}

TEST(RedisQueryText, KeyNotAllCapturedIsShownAsAPrefix) {
  testing::RecordingSink sink;
  ProtocolStats stats;
  Parser p(StreamSide::kRequests, sink, stats);
  const std::string wire = Resp({"GET", std::string(300, 'k')});
  p.Feed(testing::Bytes(std::string_view(wire).substr(0, 30)), wire.size(), ChunkTiming{1, 2, 1});
  ASSERT_EQ(sink.commands.size(), 1u);
  std::string text;
  AppendQueryText(sink.commands[0], text);
  // 19 bytes of framing ("*2\r\n$3\r\nGET\r\n$300\r\n"), then 11 of the key.
  EXPECT_EQ(text, "GET " + std::string(30 - 19, 'k') + "...");
}

TEST(RedisQueryText, NameNotAllCapturedGivesNoQueryAndAGenericSpanName) {
  const Command c = ParseCommand(Resp({std::string(40, 'X'), "k"}));
  std::string text;
  AppendQueryText(c, text);
  EXPECT_TRUE(text.empty());

  testing::SessionHarness h;
  h.Send(Resp({std::string(40, 'X'), "k"}));
  h.Answer("+OK\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  EXPECT_EQ(h.exchanges()[0].span.name, kSpanNameWhenUnknown);
  EXPECT_FALSE(testing::Has(h.exchanges()[0].span, sc::kDbOperationName));
  EXPECT_FALSE(testing::Has(h.exchanges()[0].span, sc::kDbQueryText));
}

// Random commands with random values: no value ever reaches the span.
TEST(RedisSpanMapping, ValuesNeverAppearInAnyAttribute) {
  std::mt19937 rng(42);
  const std::vector<std::string> names = {"SET", "HSET", "AUTH", "EVAL", "CONFIG", "LPUSH", "XADD",
                                          "ZADD", "MSET", "HELLO", "FOO.BAR", "CLIENT"};
  for (int round = 0; round < 200; ++round) {
    testing::SessionHarness h;
    std::vector<std::string> args = {names[rng() % names.size()], "key" + std::to_string(round)};
    std::vector<std::string> values;
    for (int i = 0, n = static_cast<int>(rng() % 6); i < n; ++i) {
      values.push_back("VALUE" + std::to_string(rng()) + "X");
      args.push_back(values.back());
    }
    h.Send(Resp(args));
    h.Answer(rng() % 2 ? "+OK\r\n" : "-ERR bad VALUE" + std::to_string(rng()) + "X\r\n");
    ASSERT_EQ(h.exchanges().size(), 1u);
    const std::string all = testing::AllText(h.exchanges()[0].span);
    EXPECT_EQ(all.find("VALUE"), std::string::npos) << all;
  }
}

TEST(RedisSpanMapping, OperationNameIsTheUpperCasedCommand) {
  testing::SessionHarness h;
  h.Send(Resp({"client", "setname", "x"}) + Resp({"get", "k"}));
  h.Answer("+OK\r\n$-1\r\n");
  ASSERT_EQ(h.exchanges().size(), 2u);
  EXPECT_EQ(h.exchanges()[0].span.name, "CLIENT");
  EXPECT_EQ(testing::Str(h.exchanges()[0].span, sc::kDbOperationName), "CLIENT");
  EXPECT_EQ(testing::Str(h.exchanges()[1].span, sc::kDbOperationName), "GET");
  EXPECT_EQ(testing::Str(h.exchanges()[1].span, sc::kServerAddress), "10.0.0.9");
  EXPECT_EQ(testing::Int(h.exchanges()[1].span, sc::kServerPort), 6379);
}

TEST(RedisSpanMapping, SpanObjectsAreReusedWithoutStaleAttributes) {
  testing::SessionHarness h;
  h.Send(Resp({"GET", "a"}));
  h.Answer("-ERR no\r\n");
  ASSERT_EQ(h.exchanges().size(), 1u);
  Span span = h.exchanges()[0].span;  // an error span, now reused for a success
  const Command c = ParseCommand(Resp({"PING"}));
  const Reply r = ParseReply("+PONG\r\n");
  ExchangeDescription d;
  d.Point(c, r, std::nullopt);
  const ConnectionInfo conn = testing::ClientConnection();
  const ChunkTiming t{};
  const Exchange ex{.connection = conn, .request_start = t, .response_end = t, .propagated = {},
                    .self_traffic = false, .details = d};
  AttributeWriter w(span.attributes);
  d.DescribeSpan(ex, SpanMappingOptions{}, span, w);
  w.Finish();
  EXPECT_EQ(span.name, "PING");
  EXPECT_EQ(span.status, StatusCode::kUnset);
  EXPECT_FALSE(testing::Has(span, sc::kErrorType));
  EXPECT_FALSE(testing::Has(span, sc::kDbNamespace));
}

TEST(RedisErrorCode, IsTheFirstWordWhenItIsAnUpperCaseToken) {
  EXPECT_EQ(ErrorCode(ParseReply("-ERR unknown command 'FOO'\r\n")), "ERR");
  EXPECT_EQ(ErrorCode(ParseReply("-NOAUTH Authentication required.\r\n")), "NOAUTH");
  EXPECT_EQ(ErrorCode(ParseReply("-MOVED 3999 127.0.0.1:6381\r\n")), "MOVED");
  EXPECT_EQ(ErrorCode(ParseReply("-CROSSSLOT Keys in request don't hash to the same slot\r\n")), "CROSSSLOT");
  EXPECT_EQ(ErrorCode(ParseReply("-ERR\r\n")), "ERR");
  EXPECT_EQ(ErrorCode(ParseReply("!9\r\nSYNTAX no\r\n")), "SYNTAX");
  EXPECT_EQ(ErrorCode(ParseReply("-some words\r\n")), "");
  EXPECT_EQ(ErrorCode(ParseReply("-" + std::string(40, 'A') + "\r\n")), "");  // longer than kept
  EXPECT_EQ(ErrorCode(ParseReply("+OK\r\n")), "");
}

TEST(RedisCommandTable, ClassifiesFirstArguments) {
  EXPECT_EQ(FirstArgumentOf("GET"), FirstArgument::kKey);
  EXPECT_EQ(FirstArgumentOf("ZUNIONSTORE"), FirstArgument::kKey);
  EXPECT_EQ(FirstArgumentOf("CONFIG"), FirstArgument::kSubcommand);
  EXPECT_EQ(FirstArgumentOf("AUTH"), FirstArgument::kHidden);
  EXPECT_EQ(FirstArgumentOf("get"), FirstArgument::kHidden);  // callers upper-case
}

}  // namespace
}  // namespace zerotrace::redis
