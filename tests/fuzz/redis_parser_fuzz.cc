// libFuzzer target for the Redis session (RESP framing, pairing, span
// mapping). Three modes, picked by the first input byte:
//
// - Raw: the input drives a sequence of chunks on either side (random bytes,
//   random sizes, some only partly captured), lost-event gaps, FinishPending
//   and Close. Beyond "no crash, no sanitizer report" it checks that what
//   reaches a span is bounded and printable, that pending() stays bounded and
//   that the stats agree with what the handler saw.
// - Generated: the input describes valid commands and one valid reply each
//   (any RESP2/RESP3 type, nested, attributes, pushes between them),
//   serialised and split at input-chosen points. The session must report
//   exactly those exchanges, in order, and no value (values carry a marker)
//   nor error message may appear in any span.
// - Ping-pong: a client waiting for each reply, with lost events and partly
//   captured chunks on both sides: every exchange must pair a command with
//   its own reply.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "agent/connection/exchange.h"
#include "agent/connection/protocol_session.h"
#include "agent/model/attribute_writer.h"
#include "agent/protocols/redis/matcher.h"
#include "agent/protocols/redis/session.h"

namespace {

using namespace zerotrace;

// In every value the generator writes; in nothing else (names, keys and
// subcommands are drawn from alphabets without 'z' and 'q').
constexpr std::string_view kValueMarker = "zqv";

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool Printable(std::string_view s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

class CheckingHandler final : public ExchangeHandler {
 public:
  void OnRequest(const RequestStart& request) override {
    Check(request.propagated.traceparent.empty(), "Redis propagates no context");
    ++requests;
  }
  void OnExchange(const Exchange& exchange) override {
    Check(exchange.response_end.exit_ns >= exchange.request_start.enter_ns, "reply before its command");
    AttributeWriter w(span_.attributes);  // one Span reused, as the builder will
    exchange.details.DescribeSpan(exchange, SpanMappingOptions{}, span_, w);
    w.Finish();
    Check(!span_.name.empty() && span_.name.size() <= 32 && Printable(span_.name), "span name");
    Check(span_.status_message.empty(), "status message set");
    for (const Attribute& a : span_.attributes) {
      const auto* s = std::get_if<std::string>(&a.value);
      if (s == nullptr) continue;
      Check(Printable(*s), "attribute not printable");
      Check(s->size() <= 512, "attribute over 512 bytes");
      Check(!values_marked || s->find(kValueMarker) == std::string::npos, "a value reached a span");
      all_text += *s;
      all_text += '\n';
    }
    names.push_back(span_.name);
    pairs.emplace_back(exchange.request_start.tid, exchange.response_end.tid);
  }

  bool values_marked = false;  // generated input: values carry kValueMarker
  uint64_t requests = 0;
  std::vector<std::string> names;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // request_start and response_end tids
  std::string all_text;

 private:
  Span span_;
};

ConnectionInfo Connection() {
  ConnectionInfo c;
  c.role = ConnectionRole::kClient;
  c.local_address = "10.0.0.2";
  c.local_port = 40000;
  c.peer_address = "10.0.0.9";
  c.peer_port = 6379;
  return c;
}

void CheckBounds(const ProtocolSession& s, const CheckingHandler& h) {
  const FifoMatcherLimits limits = redis::Matcher::kLimits;
  Check(s.pending() <= limits.max_pending_requests + limits.max_orphan_responses, "pending unbounded");
  Check(s.stats().exchanges == h.names.size(), "exchange count mismatch");
}

// ------------------------------------------------------------------ raw

void RunRaw(FuzzedDataProvider& in) {
  const ConnectionInfo conn = Connection();
  CheckingHandler handler;
  auto session = redis::NewSession(conn, handler);
  uint64_t t = 0;
  while (in.remaining_bytes() > 0) {
    const uint8_t op = in.ConsumeIntegral<uint8_t>();
    const StreamSide side = (op & 0x80) ? StreamSide::kResponses : StreamSide::kRequests;
    ++t;
    const ChunkTiming timing{t * 10, t * 10 + 5, 1, {}};
    switch (op % 16) {
      case 0:
        session->OnGap(side, in.ConsumeIntegralInRange<uint64_t>(0, uint64_t{1} << 31));
        break;
      case 1:
        session->FinishPending();
        break;
      case 2:
        session->OnClose(timing);
        break;
      default: {
        const size_t len = in.ConsumeIntegralInRange<size_t>(0, 600);
        const std::string bytes = in.ConsumeBytesAsString(len);
        uint64_t total = bytes.size();
        if (op % 16 == 3) total += in.ConsumeIntegralInRange<uint64_t>(0, uint64_t{1} << 30);
        session->OnChunk(side, Bytes(bytes), total, timing);
        break;
      }
    }
    CheckBounds(*session, handler);
  }
  session->OnClose(ChunkTiming{t * 10 + 10, t * 10 + 15, 1, {}});
  Check(session->pending() == 0, "pending after close");
  const ProtocolStats& s = session->stats();
  Check(s.exchanges <= handler.requests, "more exchanges than commands");
}

// ------------------------------------------------------------------ generated

std::string Token(FuzzedDataProvider& in, size_t max, std::string_view alphabet) {
  std::string out;
  const size_t n = in.ConsumeIntegralInRange<size_t>(1, max);
  for (size_t i = 0; i < n; ++i) out += alphabet[in.ConsumeIntegral<uint8_t>() % alphabet.size()];
  return out;
}

std::string Bulk(std::string_view s) { return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n"; }

// A value: the marker and random bytes, CR and LF included.
std::string Value(FuzzedDataProvider& in) {
  std::string v(kValueMarker);
  const size_t n = in.ConsumeIntegralInRange<size_t>(0, 40);
  for (size_t i = 0; i < n; ++i) v += static_cast<char>(in.ConsumeIntegral<uint8_t>());
  return v;
}

// Any reply, nested at most `depth` more levels.
std::string ReplyValue(FuzzedDataProvider& in, int depth) {
  const int kind = in.ConsumeIntegralInRange<int>(0, depth > 0 ? 16 : 11);
  switch (kind) {
    case 0: return "+" + Token(in, 10, "OKQUEDabc ") + "\r\n";
    case 1: return "-" + Token(in, 8, "ERRWONGTYPE") + " zqv message\r\n";
    case 2: return ":" + std::to_string(in.ConsumeIntegral<int64_t>()) + "\r\n";
    case 3: return Bulk(Value(in));
    case 4: return in.ConsumeBool() ? "$-1\r\n" : "*-1\r\n";
    case 5: return "_\r\n";
    case 6: return in.ConsumeBool() ? "#t\r\n" : "#f\r\n";
    case 7: return "," + Token(in, 12, "0123456789.e-") + "\r\n";
    case 8: return "(" + Token(in, 40, "0123456789") + "\r\n";
    case 9: {
      const std::string e = "ERR message " + Value(in);
      return "!" + std::to_string(e.size()) + "\r\n" + e + "\r\n";
    }
    case 10: {
      const std::string v = "txt:" + Value(in);
      return "=" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
    }
    case 11: return "$0\r\n\r\n";
    default: {  // aggregates
      static constexpr char kTypes[] = {'*', '%', '~', '|', '*'};
      const char type = kTypes[kind - 12];
      const int n = in.ConsumeIntegralInRange<int>(0, 3);
      std::string out = std::string(1, type) + std::to_string(n) + "\r\n";
      const int elements = (type == '%' || type == '|') ? 2 * n : n;
      for (int i = 0; i < elements; ++i) out += ReplyValue(in, depth - 1);
      // An attribute precedes the value it annotates.
      if (type == '|') out += ReplyValue(in, depth - 1);
      return out;
    }
  }
}

std::string Push(FuzzedDataProvider& in) {
  return ">3\r\n" + Bulk("message") + Bulk(Token(in, 8, "chanel")) + Bulk(Value(in));
}

void RunGenerated(FuzzedDataProvider& in) {
  static constexpr const char* kNames[] = {"get", "SET", "HSET", "MGET", "AUTH", "EVAL", "CONFIG",
                                           "INCR", "SELECT", "LPUSH", "EXEC", "MULTI", "PING", "XADD"};
  std::string commands, replies;
  std::vector<std::string> expected;
  const int count = in.ConsumeIntegralInRange<int>(1, 12);
  for (int i = 0; i < count; ++i) {
    const std::string name = kNames[in.ConsumeIntegralInRange<size_t>(0, std::size(kNames) - 1)];
    const int args = in.ConsumeIntegralInRange<int>(0, 5);
    commands += "*" + std::to_string(args + 1) + "\r\n" + Bulk(name);
    for (int a = 0; a < args; ++a) {
      // A key first (no 'z' or 'q', so never the marker), values after it.
      commands += Bulk(a == 0 ? Token(in, 20, "abc:_-0123456789{}") : Value(in));
    }
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    expected.push_back(upper);
    if (in.ConsumeIntegralInRange<int>(0, 4) == 0) replies += Push(in);
    replies += ReplyValue(in, 4);
  }

  const ConnectionInfo conn = Connection();
  CheckingHandler handler;
  handler.values_marked = true;
  auto session = redis::NewSession(conn, handler);
  uint64_t t = 0;
  auto feed = [&](StreamSide side, const std::string& wire) {
    size_t pos = 0;
    while (pos < wire.size()) {
      const size_t n = in.remaining_bytes() > 0 ? in.ConsumeIntegralInRange<size_t>(1, 64) : wire.size();
      const std::string chunk = wire.substr(pos, n);
      pos += chunk.size();
      ++t;
      session->OnChunk(side, Bytes(chunk), chunk.size(), ChunkTiming{t * 10, t * 10 + 5, 1, {}});
      CheckBounds(*session, handler);
    }
  };
  feed(StreamSide::kRequests, commands);
  feed(StreamSide::kResponses, replies);

  const ProtocolStats& s = session->stats();
  Check(s.garbage_chunks == 0 && s.resyncs == 0, "valid stream counted as garbage");
  Check(handler.names == expected, "generated exchanges differ");
  Check(session->pending() == 0, "valid stream left messages pending");
  Check(handler.all_text.find("message") == std::string::npos, "an error message reached a span");
}

// ------------------------------------------------------------------ ping-pong with holes

// A client that waits for each reply before the next command, with holes of
// every kind: lost events on either side, chunks captured only in part. Each
// chunk's tid names the command or reply it carries, so every exchange can be
// checked: pairing may give up, never pair wrongly.
void RunPingPong(FuzzedDataProvider& in) {
  static constexpr const char* kNames[] = {"GET", "SET", "HSET", "INCR", "LPUSH", "DEL", "SELECT", "HELLO"};
  const ConnectionInfo conn = Connection();
  CheckingHandler handler;
  auto session = redis::NewSession(conn, handler);
  uint64_t t = 0;
  // Splits `wire` into 1-3 chunks; some captured only in part.
  auto feed = [&](StreamSide side, const std::string& wire, uint32_t tid) {
    const int pieces = in.ConsumeIntegralInRange<int>(1, 3);
    size_t pos = 0;
    for (int p = 0; p < pieces && pos < wire.size(); ++p) {
      const size_t n = p + 1 == pieces ? wire.size() - pos : in.ConsumeIntegralInRange<size_t>(1, wire.size() - pos);
      const std::string chunk = wire.substr(pos, n);
      pos += n;
      size_t captured = chunk.size();
      if (in.ConsumeIntegralInRange<int>(0, 5) == 0) captured = in.ConsumeIntegralInRange<size_t>(0, chunk.size());
      ++t;
      session->OnChunk(side, Bytes(std::string_view(chunk).substr(0, captured)), chunk.size(),
                       ChunkTiming{t * 10, t * 10 + 5, tid, {}});
      CheckBounds(*session, handler);
    }
  };
  auto maybe_gap = [&](StreamSide side) {
    if (in.ConsumeIntegralInRange<int>(0, 7) == 0) session->OnGap(side, in.ConsumeIntegralInRange<uint64_t>(1, 200));
  };

  const int count = in.ConsumeIntegralInRange<int>(1, 16);
  for (int i = 0; i < count && in.remaining_bytes() > 0; ++i) {
    const uint32_t tid = 1000 + static_cast<uint32_t>(i);
    const std::string name = kNames[in.ConsumeIntegralInRange<size_t>(0, std::size(kNames) - 1)];
    const int args = in.ConsumeIntegralInRange<int>(0, 3);
    std::string command = "*" + std::to_string(args + 1) + "\r\n" + Bulk(name);
    for (int a = 0; a < args; ++a) command += Bulk(a == 0 ? "k" + std::to_string(i) : Value(in));
    maybe_gap(StreamSide::kRequests);
    feed(StreamSide::kRequests, command, tid);
    if (in.ConsumeIntegralInRange<int>(0, 5) == 0) feed(StreamSide::kResponses, Push(in), tid + 5000);
    maybe_gap(StreamSide::kResponses);
    feed(StreamSide::kResponses, ReplyValue(in, 3), tid);
  }
  for (const auto& [request_tid, reply_tid] : handler.pairs) Check(request_tid == reply_tid, "wrong pair");
}

}  // namespace

// The first byte picks the mode.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  FuzzedDataProvider in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: RunRaw(in); break;
    case 1: RunGenerated(in); break;
    default: RunPingPong(in); break;
  }
  return 0;
}
