// HTTP/1.x framing over captured syscall chunks: what the parser must report
// for keep-alive, pipelining, arbitrary splits, truncated captures, lost
// events and non-HTTP bytes.
#include "agent/protocols/http1/parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace zerotrace::http1 {
namespace {

// Chunk n happened at enter_ns = 100*n; tests identify chunks by that.
ChunkTiming At(uint64_t n) { return ChunkTiming{n * 100, n * 100 + 50, 7}; }

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Feeds `s` as one fully captured chunk.
void FeedAll(Parser& p, std::string_view s, uint64_t n = 1) { p.Feed(Bytes(s), s.size(), At(n)); }

// Feeds the first `captured` bytes of `s` as a chunk whose syscall moved all of `s`.
void FeedPrefix(Parser& p, std::string_view s, size_t captured, uint64_t n = 1) {
  p.Feed(Bytes(s.substr(0, captured)), s.size(), At(n));
}

constexpr std::string_view kGet =
    "GET /users/42?x=1 HTTP/1.1\r\n"
    "Host: api.example:8080\r\n"
    "User-Agent: curl/7.88.1\r\n"
    "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
    "tracestate: congo=t61rcWkgMzE\r\n"
    "Accept: */*\r\n"
    "\r\n";

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

constexpr std::string_view kChunkedOk =
    "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
    "5;name=value\r\nhello\r\n"
    "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
    "0\r\n"
    "X-Checksum: abc\r\n"
    "\r\n";

std::string Repeat(char c, size_t n) { return std::string(n, c); }

std::string OkWithBody(size_t n) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(n) + "\r\n\r\n" + Repeat('b', n);
}

// ---------------------------------------------------------------- requests

TEST(Http1Parser, ExtractsRequestLineAndTraceHeaders) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, kGet, 3);
  ASSERT_EQ(p.requests().size(), 1u);
  const Request& r = p.requests().front();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/users/42?x=1");
  EXPECT_EQ(r.version, "1.1");
  EXPECT_EQ(r.host, "api.example:8080");
  EXPECT_EQ(r.user_agent, "curl/7.88.1");
  EXPECT_EQ(r.traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(r.tracestate, "congo=t61rcWkgMzE");
  EXPECT_EQ(r.body_size, 0u);
  EXPECT_EQ(r.first_chunk.enter_ns, 300u);
  EXPECT_EQ(r.last_chunk.enter_ns, 300u);
  EXPECT_FALSE(r.headers_truncated);
  EXPECT_FALSE(r.framing_lost);
  EXPECT_EQ(p.stats().messages, 1u);
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
}

TEST(Http1Parser, KernelTraceContextStaysWithTheRequestThatStartsTheChunk) {
  Parser p(MessageKind::kRequest);
  ChunkTiming timing = At(1);
  timing.trace.link = TraceLink::kThread;
  timing.trace.span_id[0] = 42;
  const std::string two = std::string(kGet) + std::string(kGet);  // pipelined in one write
  p.Feed(Bytes(two), two.size(), timing);
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[0].first_chunk.trace.link, TraceLink::kThread);
  EXPECT_EQ(p.requests()[0].first_chunk.trace.span_id[0], 42);
  // The second request starts mid-chunk: the kernel decided nothing for it.
  EXPECT_FALSE(p.requests()[1].first_chunk.trace.valid());
}

TEST(Http1Parser, HeaderNamesMatchCaseInsensitively) {
  Parser p(MessageKind::kRequest);
  FeedAll(p,
          "POST /x HTTP/1.0\r\nHOST: h\r\nuser-AGENT: ua\r\nTraceParent: tp\r\nTRACESTATE: ts\r\n"
          "content-LENGTH: 3\r\n\r\nabc");
  ASSERT_EQ(p.requests().size(), 1u);
  const Request& r = p.requests().front();
  EXPECT_EQ(r.version, "1.0");
  EXPECT_EQ(r.host, "h");
  EXPECT_EQ(r.user_agent, "ua");
  EXPECT_EQ(r.traceparent, "tp");
  EXPECT_EQ(r.tracestate, "ts");
  EXPECT_EQ(r.body_size, 3u);
}

TEST(Http1Parser, HeaderValuesAreTrimmedAndFirstHostWins) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET / HTTP/1.1\r\nHost: \t first \t\r\nHost: second\r\n\r\n");
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests().front().host, "first");
}

TEST(Http1Parser, MultipleTracestateHeadersAreJoinedInOrder) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET / HTTP/1.1\r\ntracestate: a=1\r\nX: y\r\ntracestate: b=2\r\n\r\n");
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests().front().tracestate, "a=1,b=2");
}

TEST(Http1Parser, RequestWithoutLengthHasNoBodySoNextRequestFollowsInSameChunk) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[0].target, "/a");
  EXPECT_EQ(p.requests()[0].body_size, 0u);
  EXPECT_EQ(p.requests()[1].target, "/b");
}

TEST(Http1Parser, RequestContentLengthBodyIsCountedAcrossChunks) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "PUT /f HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123", 1);
  EXPECT_TRUE(p.requests().empty());
  FeedAll(p, "456789", 2);
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests()[0].body_size, 10u);
  EXPECT_EQ(p.requests()[0].first_chunk.enter_ns, 100u);
  EXPECT_EQ(p.requests()[0].last_chunk.enter_ns, 200u);
}

TEST(Http1Parser, ChunkedRequestBodyIsDechunked) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /n HTTP/1.1\r\n\r\n");
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[0].body_size, 3u);
  EXPECT_FALSE(p.requests()[0].framing_lost);
  EXPECT_EQ(p.requests()[1].target, "/n");
}

TEST(Http1Parser, KeepAliveRequestsInSeparateChunksAreAllParsed) {
  Parser p(MessageKind::kRequest);
  for (uint64_t i = 0; i < 50; ++i) FeedAll(p, kGet, i);
  ASSERT_EQ(p.requests().size(), 50u);
  EXPECT_EQ(p.requests()[49].first_chunk.enter_ns, 4900u);
  EXPECT_EQ(p.stats().messages, 50u);
  EXPECT_EQ(p.stats().resyncs, 0u);
}

TEST(Http1Parser, PipelinedRequestsInOneChunkAreAllParsed) {
  Parser p(MessageKind::kRequest);
  std::string chunk;
  chunk += "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n";
  chunk += "POST /2 HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
  chunk += "DELETE /3 HTTP/1.1\r\n\r\n";
  FeedAll(p, chunk);
  ASSERT_EQ(p.requests().size(), 3u);
  EXPECT_EQ(p.requests()[0].target, "/1");
  EXPECT_EQ(p.requests()[1].method, "POST");
  EXPECT_EQ(p.requests()[1].body_size, 4u);
  EXPECT_EQ(p.requests()[2].method, "DELETE");
}

TEST(Http1Parser, PipelinedResponsesInOneChunkAreAllParsed) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, std::string(kOk) + std::string(kChunkedOk) + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(p.responses().size(), 3u);
  EXPECT_EQ(p.responses()[0].status_code, 200);
  EXPECT_EQ(p.responses()[0].body_size, 5u);
  EXPECT_EQ(p.responses()[1].body_size, 31u);
  EXPECT_EQ(p.responses()[2].status_code, 404);
}

TEST(Http1Parser, EmptyLinesBeforeARequestAreIgnored) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "POST /a HTTP/1.1\r\nContent-Length: 1\r\n\r\nx\r\n", 1);  // old browsers add CRLF
  FeedAll(p, "\r\n", 2);
  FeedAll(p, "GET /b HTTP/1.1\r\n\r\n", 3);
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[1].target, "/b");
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
}

TEST(Http1Parser, BareLfLineEndingsAreAccepted) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\nContent-Length: 2\n\nhiHTTP/1.0 204\n\n");
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_EQ(p.responses()[0].body_size, 2u);
  EXPECT_EQ(p.responses()[1].status_code, 204);
  EXPECT_EQ(p.responses()[1].version, "1.0");
}

TEST(Http1Parser, AcceptsEveryStandardMethod) {
  for (std::string_view method :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
    Parser p(MessageKind::kRequest);
    FeedAll(p, std::string(method) + " * HTTP/1.1\r\n\r\n");
    ASSERT_EQ(p.requests().size(), 1u) << method;
    EXPECT_EQ(p.requests()[0].method, method);
  }
}

TEST(Http1Parser, AcceptsTokenExtensionMethods) {
  for (std::string_view method : {"PROPFIND", "MKCOL", "M-SEARCH", "PURGE"}) {
    Parser p(MessageKind::kRequest);
    FeedAll(p, std::string(method) + " / HTTP/1.1\r\n\r\n");
    ASSERT_EQ(p.requests().size(), 1u) << method;
    EXPECT_EQ(p.requests()[0].method, method);
  }
}

TEST(Http1Parser, RejectsStartLinesThatAreNotHttp1Requests) {
  for (std::string_view line : {
           "get / HTTP/1.1\r\n\r\n",                          // lower-case method
           "GET / HTTP/2.0\r\n\r\n",                          // not HTTP/1.x
           "GET / HTTP/1.2\r\n\r\n",                          // unknown minor version
           "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",                // HTTP/2 preface
           "ABCDEFGHIJKLMNOPQRSTUVWXY / HTTP/1.1\r\n\r\n",    // method too long (25)
           "GET  HTTP/1.1\r\n\r\n",                           // empty target
           "GET / HTTP/1.1 extra\r\n\r\n",                    // junk after version
           "1GET / HTTP/1.1\r\n\r\n",                         // method starts with a digit
           "HTTP/1.1 200 OK\r\n\r\n",                         // a response on the request side
       }) {
    Parser p(MessageKind::kRequest);
    FeedAll(p, line);
    EXPECT_TRUE(p.requests().empty()) << line;
    EXPECT_EQ(p.stats().garbage_chunks, 1u) << line;
  }
}

TEST(Http1Parser, RejectsStatusLinesThatAreNotHttp1Responses) {
  for (std::string_view line : {
           "HTTP/2 200 OK\r\n\r\n",
           "HTTP/1.2 200 OK\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/1.1 099 Low\r\n\r\n",
           "HTTP/1.1 600 High\r\n\r\n",
           "HTTP/1.1 200 O\x01K\r\n\r\n",
           "http/1.1 200 OK\r\n\r\n",
           "GET / HTTP/1.1\r\n\r\n",
       }) {
    Parser p(MessageKind::kResponse);
    FeedAll(p, line);
    EXPECT_TRUE(p.responses().empty()) << line;
    EXPECT_EQ(p.stats().garbage_chunks, 1u) << line;
  }
}

TEST(Http1Parser, StatusLineWithoutReasonPhraseIsAccepted) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n");
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].status_code, 503);
}

// ---------------------------------------------------------------- splits

struct Expected {
  std::string method, target, host;
  int status = 0;
  uint64_t body = 0;
};

// Feeds `msg` split into chunks at `cuts` (sorted offsets) and checks one
// message came out whole.
void ExpectSplitParses(MessageKind kind, std::string_view msg, const std::vector<size_t>& cuts,
                       const Expected& want) {
  Parser p(kind);
  size_t from = 0;
  uint64_t n = 1;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const size_t to = i < cuts.size() ? cuts[i] : msg.size();
    FeedAll(p, msg.substr(from, to - from), n++);
    from = to;
  }
  std::string where;
  for (size_t c : cuts) where += std::to_string(c) + " ";
  ASSERT_EQ(p.stats().messages, 1u) << "cuts: " << where;
  ASSERT_EQ(p.stats().garbage_chunks, 0u) << "cuts: " << where;
  if (kind == MessageKind::kRequest) {
    const Request& r = p.requests().front();
    EXPECT_EQ(r.method, want.method) << "cuts: " << where;
    EXPECT_EQ(r.target, want.target) << "cuts: " << where;
    EXPECT_EQ(r.host, want.host) << "cuts: " << where;
    EXPECT_EQ(r.body_size, want.body) << "cuts: " << where;
    EXPECT_FALSE(r.headers_truncated || r.framing_lost) << "cuts: " << where;
  } else {
    const Response& r = p.responses().front();
    EXPECT_EQ(r.status_code, want.status) << "cuts: " << where;
    EXPECT_EQ(r.body_size, want.body) << "cuts: " << where;
    EXPECT_FALSE(r.headers_truncated || r.framing_lost) << "cuts: " << where;
  }
}

constexpr std::string_view kPost =
    "POST /submit HTTP/1.1\r\nHost: h.example\r\nContent-Length: 7\r\n\r\npayload";

TEST(Http1Parser, RequestSplitInTwoAtEveryByteParsesTheSame) {
  for (size_t cut = 1; cut < kPost.size(); ++cut) {
    ExpectSplitParses(MessageKind::kRequest, kPost, {cut}, {"POST", "/submit", "h.example", 0, 7});
  }
}

TEST(Http1Parser, RequestSplitInThreeAtEveryBytePairParsesTheSame) {
  for (size_t a = 1; a < kPost.size(); ++a) {
    for (size_t b = a + 1; b < kPost.size(); ++b) {
      ExpectSplitParses(MessageKind::kRequest, kPost, {a, b}, {"POST", "/submit", "h.example", 0, 7});
    }
  }
}

TEST(Http1Parser, ChunkedResponseSplitInTwoAtEveryByteParsesTheSame) {
  for (size_t cut = 1; cut < kChunkedOk.size(); ++cut) {
    ExpectSplitParses(MessageKind::kResponse, kChunkedOk, {cut}, {"", "", "", 200, 31});
  }
}

TEST(Http1Parser, ChunkedResponseSplitInThreeAtEveryBytePairParsesTheSame) {
  for (size_t a = 1; a < kChunkedOk.size(); ++a) {
    for (size_t b = a + 1; b < kChunkedOk.size(); ++b) {
      ExpectSplitParses(MessageKind::kResponse, kChunkedOk, {a, b}, {"", "", "", 200, 31});
    }
  }
}

TEST(Http1Parser, OneByteChunksParseWholeMessages) {
  std::vector<size_t> every;
  for (size_t i = 1; i < kPost.size(); ++i) every.push_back(i);
  ExpectSplitParses(MessageKind::kRequest, kPost, every, {"POST", "/submit", "h.example", 0, 7});
  every.clear();
  for (size_t i = 1; i < kChunkedOk.size(); ++i) every.push_back(i);
  ExpectSplitParses(MessageKind::kResponse, kChunkedOk, every, {"", "", "", 200, 31});
}

TEST(Http1Parser, PipelinedRequestsSplitAtEveryByteAllParse) {
  const std::string two = std::string(kPost) + std::string(kGet);
  for (size_t cut = 1; cut < two.size(); ++cut) {
    Parser p(MessageKind::kRequest);
    FeedAll(p, std::string_view(two).substr(0, cut), 1);
    FeedAll(p, std::string_view(two).substr(cut), 2);
    ASSERT_EQ(p.requests().size(), 2u) << cut;
    EXPECT_EQ(p.requests()[0].body_size, 7u) << cut;
    EXPECT_EQ(p.requests()[1].target, "/users/42?x=1") << cut;
    EXPECT_EQ(p.requests()[1].tracestate, "congo=t61rcWkgMzE") << cut;
  }
}

TEST(Http1Parser, TimingsComeFromChunksCarryingFirstAndLastByte) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\n", 1);
  FeedAll(p, "Content-Length: 6\r\n\r\nab", 2);
  FeedAll(p, "cd", 3);
  FeedAll(p, "efHTTP/1.1 204 No Content\r\n\r\n", 4);
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_EQ(p.responses()[0].first_chunk.enter_ns, 100u);
  EXPECT_EQ(p.responses()[0].first_chunk.exit_ns, 150u);
  EXPECT_EQ(p.responses()[0].first_chunk.tid, 7u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 400u);
  EXPECT_EQ(p.responses()[1].first_chunk.enter_ns, 400u);
  EXPECT_EQ(p.responses()[1].last_chunk.enter_ns, 400u);
}

// ---------------------------------------------------------------- bodies

TEST(Http1Parser, ChunkedBodyWithExtensionsAndTrailersIsDechunked) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, kChunkedOk);
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 31u);
  EXPECT_FALSE(p.responses()[0].framing_lost);
}

TEST(Http1Parser, ChunkedResponseDoesNotEndBeforeItsLastChunk) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 1);
  EXPECT_TRUE(p.responses().empty());
  FeedAll(p, "0\r\n\r\n", 2);
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 200u);
}

TEST(Http1Parser, TransferEncodingChunkedOverridesContentLength) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
             "2\r\nab\r\n0\r\n\r\n" + std::string(kOk));
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_EQ(p.responses()[0].body_size, 2u);
  EXPECT_EQ(p.responses()[1].body_size, 5u);
}

TEST(Http1Parser, ResponseWithNonChunkedTransferEncodingReadsUntilClose) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz", 1);
  EXPECT_TRUE(p.responses().empty());
  p.Close(At(2));
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 3u);
}

TEST(Http1Parser, ConflictingContentLengthsLoseFraming) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 1);
  EXPECT_TRUE(p.responses().empty());
  FeedAll(p, kOk, 2);
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
  EXPECT_FALSE(p.responses()[1].framing_lost);
  EXPECT_EQ(p.stats().resyncs, 1u);
}

TEST(Http1Parser, IdenticalContentLengthListIsAccepted) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc");
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 3u);
  EXPECT_FALSE(p.responses()[0].framing_lost);
}

TEST(Http1Parser, InvalidChunkSizeLosesFramingUntilNextResponse) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nmore body", 1);
  FeedAll(p, "still body", 2);
  EXPECT_TRUE(p.responses().empty());
  FeedAll(p, kOk, 3);
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 200u);
  EXPECT_EQ(p.responses()[1].body_size, 5u);
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
}

TEST(Http1Parser, ResponseStartingWhereAChunkSizeWasExpectedEndsTheBrokenOneAtItsLastChunk) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 1);
  FeedAll(p, kOk, 2);  // the terminating "0" chunk never came
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
  EXPECT_EQ(p.responses()[0].body_size, 5u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 100u);
  EXPECT_EQ(p.responses()[1].body_size, 5u);
}

// ---------------------------------------------------------------- captures

TEST(Http1Parser, UncapturedContentLengthBodyIsSkippedByCount) {
  Parser p(MessageKind::kResponse);
  const std::string big = OkWithBody(10000);
  FeedPrefix(p, big, 4096, 1);
  EXPECT_EQ(p.responses().size(), 1u);  // its last byte was in that syscall
  FeedAll(p, kOk, 2);  // the next response starts exactly where framing says
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_EQ(p.responses()[0].body_size, 10000u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 100u);
  EXPECT_FALSE(p.responses()[0].framing_lost);
  EXPECT_EQ(p.responses()[1].body_size, 5u);
  EXPECT_EQ(p.stats().resyncs, 0u);
}

TEST(Http1Parser, BodySpreadOverPartlyCapturedChunksIsCountedInFull) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n", 1);
  const std::string body = Repeat('z', 8000);
  FeedPrefix(p, body, 4096, 2);
  FeedPrefix(p, body, 4096, 3);
  EXPECT_TRUE(p.responses().empty());
  p.Feed({}, 4000, At(4));  // nothing captured at all
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 20000u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 400u);
}

TEST(Http1Parser, UncapturedChunkDataIsSkippedByCountIncludingItsCrlf) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1);
  // One write: "2000\r\n" + 8192 bytes + "\r\n"; only 4096 bytes captured.
  const std::string write = "2000\r\n" + Repeat('d', 8192) + "\r\n";
  FeedPrefix(p, write, 4096, 2);
  FeedAll(p, "3\r\nend\r\n0\r\n\r\n", 3);
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 8195u);
  EXPECT_FALSE(p.responses()[0].framing_lost);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 300u);
}

TEST(Http1Parser, UncapturedChunkSizeLineLosesFramingUntilNextMessage) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1);
  // Two chunks in one write; the second chunk-size line is past the capture.
  const std::string write = "1000\r\n" + Repeat('d', 4096) + "\r\n10\r\n" + Repeat('e', 16) + "\r\n";
  FeedPrefix(p, write, 4096, 2);
  FeedAll(p, "0\r\n\r\n", 3);  // not a message start: still the lost body
  EXPECT_TRUE(p.responses().empty());
  FeedAll(p, kOk, 4);
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 300u);
  EXPECT_EQ(p.responses()[1].status_code, 200);
  EXPECT_FALSE(p.responses()[1].framing_lost);
  EXPECT_EQ(p.stats().resyncs, 1u);
}

TEST(Http1Parser, NextMessageStartingInUncapturedBytesIsSkippedUntilAChunkStartsOne) {
  Parser p(MessageKind::kRequest);
  // A 100-byte body ends inside the uncaptured tail; the next request starts there.
  const std::string write = "POST /a HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + Repeat('p', 100) +
                            "GET /hidden HTTP/1.1\r\nHost: h\r\n\r\n";
  FeedPrefix(p, write, 60, 1);
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests()[0].body_size, 100u);
  EXPECT_EQ(p.requests()[0].last_chunk.enter_ns, 100u);
  FeedAll(p, "continuation of something unseen", 2);
  FeedAll(p, "GET /seen HTTP/1.1\r\n\r\n", 3);
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[1].target, "/seen");
  EXPECT_EQ(p.stats().garbage_chunks, 1u);
  EXPECT_EQ(p.stats().resyncs, 1u);
}

TEST(Http1Parser, TruncatedHeaderBlockIsReportedWithWhatWasCapturedThenResyncs) {
  Parser p(MessageKind::kRequest);
  const std::string write = "GET /big HTTP/1.1\r\nHost: h\r\ntraceparent: tp\r\nCookie: " +
                            Repeat('c', 6000) + "\r\nUser-Agent: late\r\n\r\n";
  FeedPrefix(p, write, 4096, 1);
  EXPECT_TRUE(p.requests().empty());  // still open: its end is unknown
  FeedAll(p, "GET /next HTTP/1.1\r\n\r\n", 2);
  ASSERT_EQ(p.requests().size(), 2u);
  const Request& r = p.requests()[0];
  EXPECT_EQ(r.target, "/big");
  EXPECT_EQ(r.host, "h");
  EXPECT_EQ(r.traceparent, "tp");
  EXPECT_EQ(r.user_agent, "");
  EXPECT_TRUE(r.headers_truncated);
  EXPECT_TRUE(r.framing_lost);
  EXPECT_EQ(r.last_chunk.enter_ns, 100u);
  EXPECT_EQ(p.requests()[1].target, "/next");
  EXPECT_FALSE(p.requests()[1].headers_truncated);
  EXPECT_EQ(p.stats().resyncs, 1u);
}

TEST(Http1Parser, TruncatedRequestLineKeepsMethodAndPartialTarget) {
  Parser p(MessageKind::kRequest);
  const std::string write = "GET /" + Repeat('q', 5000) + " HTTP/1.1\r\n\r\n";
  FeedPrefix(p, write, 4096, 1);
  p.FinishPending();
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests()[0].method, "GET");
  EXPECT_EQ(p.requests()[0].target.size(), 4096u - 4u);
  EXPECT_TRUE(p.requests()[0].headers_truncated);
}

TEST(Http1Parser, HeaderBlockSplitOverManyChunksIsBuffered) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET / HTTP/1.1\r\nHost: h\r\n", 1);
  for (uint64_t i = 0; i < 10; ++i) FeedAll(p, "X-Pad: " + Repeat('x', 1000) + "\r\n", 2 + i);
  EXPECT_GT(p.buffered_bytes(), 10000u);
  FeedAll(p, "User-Agent: ua\r\n\r\n", 20);
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests()[0].user_agent, "ua");
  EXPECT_FALSE(p.requests()[0].headers_truncated);
  EXPECT_EQ(p.requests()[0].last_chunk.enter_ns, 2000u);
  EXPECT_EQ(p.buffered_bytes(), 0u);
}

TEST(Http1Parser, HeaderBlockOverTheBufferCapIsTreatedAsTruncated) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET /huge HTTP/1.1\r\nHost: h\r\n", 1);
  for (uint64_t i = 0; i < 40; ++i) {
    FeedAll(p, "X-Pad: " + Repeat('x', 1000) + "\r\n", 2 + i);
    ASSERT_LE(p.buffered_bytes(), Parser::kMaxHeaderBytes);
  }
  FeedAll(p, "\r\n", 50);
  FeedAll(p, "GET /after HTTP/1.1\r\n\r\n", 51);
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[0].target, "/huge");
  EXPECT_EQ(p.requests()[0].host, "h");
  EXPECT_TRUE(p.requests()[0].headers_truncated);
  EXPECT_EQ(p.requests()[1].target, "/after");
}

// ---------------------------------------------------------------- bodiless responses

TEST(Http1Parser, ResponseToHeadHasNoBodyDespiteContentLength) {
  Parser p(MessageKind::kResponse);
  p.ExpectResponseTo("HEAD");
  p.ExpectResponseTo("GET");
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n" + std::string(kOk));
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_EQ(p.responses()[0].body_size, 0u);
  EXPECT_EQ(p.responses()[1].body_size, 5u);
}

TEST(Http1Parser, NoContentAndNotModifiedHaveNoBody) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
             "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n" +
                 std::string(kOk));
  ASSERT_EQ(p.responses().size(), 3u);
  EXPECT_EQ(p.responses()[0].status_code, 204);
  EXPECT_EQ(p.responses()[1].status_code, 304);
  EXPECT_EQ(p.responses()[1].body_size, 0u);
  EXPECT_EQ(p.responses()[2].body_size, 5u);
}

TEST(Http1Parser, InterimContinueIsSkippedAndKeepsTheExpectedMethod) {
  Parser p(MessageKind::kResponse);
  p.ExpectResponseTo("POST");
  p.ExpectResponseTo("HEAD");
  FeedAll(p, "HTTP/1.1 100 Continue\r\n\r\n", 1);
  EXPECT_TRUE(p.responses().empty());
  FeedAll(p, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 2);
  // The HEAD response: if the 100 had consumed "POST", this would read a body.
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 3);
  FeedAll(p, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" + std::string(kOk), 4);
  ASSERT_EQ(p.responses().size(), 3u);
  EXPECT_EQ(p.responses()[0].status_code, 201);
  EXPECT_EQ(p.responses()[0].first_chunk.enter_ns, 200u);
  EXPECT_EQ(p.responses()[1].body_size, 0u);
  EXPECT_EQ(p.responses()[2].body_size, 5u);
  EXPECT_EQ(p.responses()[2].first_chunk.enter_ns, 400u);
  EXPECT_EQ(p.stats().messages, 3u);
}

TEST(Http1Parser, SwitchingProtocolsIsReportedAndRestOfStreamIsOpaque) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello", 1);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2);
  FeedAll(p, "\x81\x7e\x00\x10 binary frames", 3);
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].status_code, 101);
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
  EXPECT_EQ(p.stats().messages, 1u);
}

TEST(Http1Parser, SuccessfulConnectMakesTheResponseStreamOpaque) {
  Parser p(MessageKind::kResponse);
  p.ExpectResponseTo("CONNECT");
  FeedAll(p, "HTTP/1.1 200 Connection Established\r\n\r\n", 1);
  FeedAll(p, std::string("\x16\x03\x01\x00\x05hello", 10), 2);
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
}

TEST(Http1Parser, ResponseWithoutLengthRunsUntilClose) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nabc", 1);
  FeedAll(p, "HTTP/1.1 200 OK\r\n\r\n", 2);  // body bytes, whatever they look like
  EXPECT_TRUE(p.responses().empty());
  p.Close(At(3));
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 3u + 19u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 200u);
  EXPECT_FALSE(p.responses()[0].framing_lost);
}

TEST(Http1Parser, ResponseWithoutLengthEndsAtFinishPending) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\n\r\nabcd", 1);
  p.FinishPending();
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 4u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
}

TEST(Http1Parser, FinishPendingLeavesAFramedBodyAlone) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd", 1);
  p.FinishPending();
  EXPECT_TRUE(p.responses().empty());
  FeedAll(p, "efghij", 2);
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_FALSE(p.responses()[0].framing_lost);
}

TEST(Http1Parser, FinishPendingEndsAFramingLostMessage) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-hex\r\n", 1);
  EXPECT_TRUE(p.responses().empty());
  p.FinishPending();
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
}

// ---------------------------------------------------------------- garbage

TEST(Http1Parser, BinaryGarbageIsCountedAndSkipped) {
  Parser p(MessageKind::kRequest);
  const uint8_t bin[] = {0x00, 0xff, 0x13, 0x37, 0x0a, 0x0d, 0x0a, 0x80};
  p.Feed(bin, sizeof(bin), At(1));
  EXPECT_EQ(p.stats().garbage_chunks, 1u);
  EXPECT_EQ(p.buffered_bytes(), 0u);
  FeedAll(p, kGet, 2);
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests()[0].first_chunk.enter_ns, 200u);
  EXPECT_EQ(p.stats().resyncs, 1u);
}

TEST(Http1Parser, TlsRecordsAreGarbageOnBothSides) {
  const std::string client_hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03GET / HTTP/1.1", 25);
  Parser req(MessageKind::kRequest);
  Parser resp(MessageKind::kResponse);
  FeedAll(req, client_hello);
  FeedAll(resp, client_hello);
  EXPECT_EQ(req.stats().garbage_chunks, 1u);
  EXPECT_EQ(resp.stats().garbage_chunks, 1u);
  EXPECT_TRUE(req.requests().empty());
}

TEST(Http1Parser, PlainTextIsGarbage) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "hello world, this is not http\r\n\r\n", 1);
  FeedAll(p, "SELECT 1 FROM dual\r\n", 2);  // upper-case token + target, then no version
  FeedAll(p, "+OK redis\r\n", 3);
  EXPECT_EQ(p.stats().garbage_chunks, 3u);
  EXPECT_TRUE(p.requests().empty());
}

TEST(Http1Parser, PartialStartThatTurnsOutNotHttpIsGarbage) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET", 1);  // could be a request line...
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
  FeedAll(p, "TING STARTED\r\n", 2);  // ...but it is not
  EXPECT_EQ(p.stats().garbage_chunks, 1u);
  EXPECT_EQ(p.buffered_bytes(), 0u);
  FeedAll(p, "GET / HTTP/1.1\r\n\r\n", 3);
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests()[0].first_chunk.enter_ns, 300u);
}

TEST(Http1Parser, MessageStartInsideAChunkOfLostBodyIsNotTaken) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 1);  // lost
  FeedAll(p, "body bytes GET /fake HTTP/1.1\r\n\r\n", 2);  // not at a chunk start
  EXPECT_TRUE(p.requests().empty());
  FeedAll(p, "GET /real HTTP/1.1\r\n\r\n", 3);
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[0].last_chunk.enter_ns, 200u);
  EXPECT_EQ(p.requests()[1].target, "/real");
}

TEST(Http1Parser, PartialStartInLostBodyThatFailsStaysInThatBody) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "POST /a HTTP/1.1\r\nContent-Length: x\r\n\r\n", 1);  // framing lost
  FeedAll(p, "PUT", 2);       // might start a request...
  FeedAll(p, "TY\r\n", 3);    // ...but is lost body
  EXPECT_TRUE(p.requests().empty());
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
  FeedAll(p, "PUT /b HTTP/1.1\r\n", 4);  // a split start that does turn out valid
  FeedAll(p, "\r\n", 5);
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[0].body_size, 7u);
  EXPECT_EQ(p.requests()[0].last_chunk.enter_ns, 300u);
  EXPECT_EQ(p.requests()[1].method, "PUT");
  EXPECT_EQ(p.requests()[1].first_chunk.enter_ns, 400u);
  EXPECT_EQ(p.requests()[1].last_chunk.enter_ns, 500u);
}

TEST(Http1Parser, EmptyLineChunkInsideALostBodyKeepsThatMessageOpen) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\nab", 1);  // framing lost
  FeedAll(p, "\r\n", 2);
  EXPECT_TRUE(p.responses().empty());
  p.FinishPending();
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 4u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 200u);
  EXPECT_EQ(p.stats().garbage_chunks, 0u);
}

TEST(Http1Parser, RandomBytesInRandomChunksNeverCrashAndStayBounded) {
  std::mt19937 rng(12345);
  for (MessageKind kind : {MessageKind::kRequest, MessageKind::kResponse}) {
    Parser p(kind);
    std::string chunk;
    for (int i = 0; i < 20000; ++i) {
      const size_t n = rng() % 200;
      chunk.resize(n);
      // Mostly HTTP-ish alphabet so that starts are plausible and states get deep.
      static constexpr std::string_view kAlphabet = "GET /HTP1.0\r\n:chunked0123456789aF;";
      for (char& c : chunk) c = (rng() % 4 == 0) ? static_cast<char>(rng()) : kAlphabet[rng() % kAlphabet.size()];
      const uint64_t total = n + ((rng() % 8 == 0) ? rng() % 10000 : 0);
      p.Feed(Bytes(chunk), total, At(static_cast<uint64_t>(i)));
      if (rng() % 97 == 0) p.Gap(rng() % 5000);
      if (rng() % 211 == 0) p.FinishPending();
      if (rng() % 401 == 0) p.Close(At(static_cast<uint64_t>(i)));
      ASSERT_LE(p.buffered_bytes(), Parser::kMaxHeaderBytes);
      p.requests().clear();
      p.responses().clear();
    }
    EXPECT_GT(p.stats().garbage_chunks, 0u);
  }
}

// ---------------------------------------------------------------- gaps and close

TEST(Http1Parser, GapInsideContentLengthBodyKeepsFraming) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + Repeat('a', 10), 1);
  p.Gap(80);
  FeedAll(p, Repeat('a', 10) + std::string(kOk), 2);
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_EQ(p.responses()[0].body_size, 100u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 200u);
  EXPECT_FALSE(p.responses()[0].framing_lost);
  EXPECT_EQ(p.responses()[1].body_size, 5u);
}

TEST(Http1Parser, GapPastTheEndOfABodyClosesItAtTheLastSeenChunk) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + Repeat('a', 10), 1);
  p.Gap(500);
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].last_chunk.enter_ns, 100u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
  FeedAll(p, "tail of a response we lost", 2);
  FeedAll(p, kOk, 3);
  ASSERT_EQ(p.responses().size(), 2u);
  EXPECT_EQ(p.stats().resyncs, 1u);
}

TEST(Http1Parser, GapInsideHeadersReportsATruncatedMessage) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET /g HTTP/1.1\r\nHost: h\r\n", 1);
  p.Gap(300);
  FeedAll(p, "GET /n HTTP/1.1\r\n\r\n", 2);
  ASSERT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.requests()[0].target, "/g");
  EXPECT_EQ(p.requests()[0].host, "h");
  EXPECT_TRUE(p.requests()[0].headers_truncated);
  EXPECT_TRUE(p.requests()[0].framing_lost);
  EXPECT_EQ(p.requests()[0].last_chunk.enter_ns, 100u);
}

TEST(Http1Parser, GapBetweenMessagesResyncsAtTheNextStart) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, kGet, 1);
  p.Gap(1000);
  FeedAll(p, "er: more\r\n\r\n", 2);  // the middle of a lost request
  FeedAll(p, kGet, 3);
  EXPECT_EQ(p.requests().size(), 2u);
  EXPECT_EQ(p.stats().garbage_chunks, 1u);
  EXPECT_EQ(p.stats().resyncs, 1u);
}

TEST(Http1Parser, CloseCutsAFramedBodyShortAsFramingLost) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", 1);
  p.Close(At(2));
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 3u);
  EXPECT_TRUE(p.responses()[0].framing_lost);
}

TEST(Http1Parser, CloseReportsBufferedPartialHeadersAsTruncated) {
  Parser p(MessageKind::kRequest);
  FeedAll(p, "GET /c HTTP/1.1\r\nHost: h\r\nUser-Ag", 1);
  p.Close(At(2));
  ASSERT_EQ(p.requests().size(), 1u);
  EXPECT_EQ(p.requests()[0].target, "/c");
  EXPECT_TRUE(p.requests()[0].headers_truncated);
  EXPECT_EQ(p.buffered_bytes(), 0u);
}

TEST(Http1Parser, ResponsesAreFramedAsGetWhenNoMethodIsExpected) {
  Parser p(MessageKind::kResponse);
  FeedAll(p, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_EQ(p.responses().size(), 1u);
  EXPECT_EQ(p.responses()[0].body_size, 3u);
}

}  // namespace
}  // namespace zerotrace::http1
