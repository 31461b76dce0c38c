// What the Redis tests share: RESP encoding, a handler that turns each
// exchange into a Span the way the span builder will (DescribeSpan into an
// AttributeWriter, then Finish), and a session fed with chunks at increasing
// times.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/connection/exchange.h"
#include "agent/connection/protocol_session.h"
#include "agent/model/attribute_writer.h"
#include "agent/protocols/redis/parser.h"
#include "agent/protocols/redis/session.h"

namespace zerotrace::redis::testing {

inline std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A command as clients send it: an array of bulk strings.
inline std::string Resp(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}
inline std::string Resp(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

inline std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Records what a parser frames.
class RecordingSink final : public MessageSink {
 public:
  void OnCommand(Command& c) override { commands.push_back(c); }
  void OnReply(Reply& r) override { replies.push_back(r); }
  void OnFramingLost(StreamSide) override { ++losses; }

  std::vector<Command> commands;
  std::vector<Reply> replies;
  int losses = 0;
};

// The command the parser makes of `args`.
inline Command ParseCommand(const std::string& wire) {
  RecordingSink sink;
  ProtocolStats stats;
  Parser parser(StreamSide::kRequests, sink, stats);
  parser.Feed(Bytes(wire), wire.size(), ChunkTiming{1, 2, 1});
  EXPECT_EQ(sink.commands.size(), 1u) << wire;
  return sink.commands.empty() ? Command{} : sink.commands.front();
}
inline Reply ParseReply(const std::string& wire) {
  RecordingSink sink;
  ProtocolStats stats;
  Parser parser(StreamSide::kResponses, sink, stats);
  parser.Feed(Bytes(wire), wire.size(), ChunkTiming{1, 2, 1});
  EXPECT_EQ(sink.replies.size(), 1u) << wire;
  return sink.replies.empty() ? Reply{} : sink.replies.front();
}

struct RecordedExchange {
  ChunkTiming request_start;
  ChunkTiming response_end;
  Span span;
};

class RecordingHandler final : public ExchangeHandler {
 public:
  void OnRequest(const RequestStart& request) override {
    EXPECT_TRUE(request.propagated.traceparent.empty());
    requests.push_back(request.first_chunk);
  }
  void OnExchange(const Exchange& exchange) override {
    RecordedExchange rec{exchange.request_start, exchange.response_end, {}};
    EXPECT_FALSE(exchange.self_traffic);
    AttributeWriter w(rec.span.attributes);
    exchange.details.DescribeSpan(exchange, SpanMappingOptions{}, rec.span, w);
    w.Finish();
    exchanges.push_back(std::move(rec));
  }

  std::vector<ChunkTiming> requests;
  std::vector<RecordedExchange> exchanges;
};

inline ConnectionInfo ClientConnection() {
  ConnectionInfo c;
  c.role = ConnectionRole::kClient;
  c.local_address = "10.0.0.2";
  c.local_port = 40000;
  c.peer_address = "10.0.0.9";
  c.peer_port = 6379;
  return c;
}

// A session on one connection. Each chunk happens 100 ns after the last
// (enter_ns = 100 * n), so every reply comes after the commands before it.
class SessionHarness {
 public:
  explicit SessionHarness(ConnectionInfo connection = ClientConnection())
      : connection_(std::move(connection)), session_(NewSession(connection_, handler_)) {}

  ChunkTiming Next(const KernelTraceContext& trace = {}) {
    t_ += 100;
    return ChunkTiming{t_, t_ + 10, 7, trace};
  }

  // A fully captured chunk.
  void Send(std::string_view bytes, const KernelTraceContext& trace = {}) {
    session_->OnChunk(StreamSide::kRequests, Bytes(bytes), bytes.size(), Next(trace));
  }
  void Answer(std::string_view bytes) {
    session_->OnChunk(StreamSide::kResponses, Bytes(bytes), bytes.size(), Next());
  }
  // A chunk of which only the first `captured` bytes were seen.
  void SendPrefix(std::string_view bytes, size_t captured) {
    session_->OnChunk(StreamSide::kRequests, Bytes(bytes.substr(0, captured)), bytes.size(), Next());
  }
  void AnswerPrefix(std::string_view bytes, size_t captured) {
    session_->OnChunk(StreamSide::kResponses, Bytes(bytes.substr(0, captured)), bytes.size(), Next());
  }
  void Chunk(StreamSide side, std::string_view captured, uint64_t total_size) {
    session_->OnChunk(side, Bytes(captured), total_size, Next());
  }
  void Gap(StreamSide side, uint64_t bytes) { session_->OnGap(side, bytes); }

  ProtocolSession& session() { return *session_; }
  const ProtocolStats& stats() const { return session_->stats(); }
  std::vector<RecordedExchange>& exchanges() { return handler_.exchanges; }
  const std::vector<ChunkTiming>& requests() const { return handler_.requests; }

  std::vector<std::string> SpanNames() const {
    std::vector<std::string> names;
    for (const RecordedExchange& e : handler_.exchanges) names.push_back(e.span.name);
    return names;
  }

 private:
  ConnectionInfo connection_;
  RecordingHandler handler_;
  std::unique_ptr<ProtocolSession> session_;
  uint64_t t_ = 0;
};

inline const AttributeValue* FindAttribute(const Span& span, std::string_view key) {
  const AttributeValue* found = nullptr;
  for (const Attribute& a : span.attributes) {
    if (a.key == key) {
      EXPECT_EQ(found, nullptr) << "duplicate attribute " << key;
      found = &a.value;
    }
  }
  return found;
}

inline std::string Str(const Span& span, std::string_view key) {
  const AttributeValue* v = FindAttribute(span, key);
  if (v == nullptr) return "<absent>";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return "<not a string>";
}

inline int64_t Int(const Span& span, std::string_view key) {
  const AttributeValue* v = FindAttribute(span, key);
  if (v == nullptr) return -1;
  if (const auto* i = std::get_if<int64_t>(v)) return *i;
  return -2;
}

inline bool Has(const Span& span, std::string_view key) { return FindAttribute(span, key) != nullptr; }

// The name, status message and every string attribute: what must never hold
// a value.
inline std::string AllText(const Span& span) {
  std::string all = span.name + "\n" + span.status_message + "\n";
  for (const Attribute& a : span.attributes) {
    if (const auto* s = std::get_if<std::string>(&a.value)) all += a.key + "=" + *s + "\n";
  }
  return all;
}

}  // namespace zerotrace::redis::testing
