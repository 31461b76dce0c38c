#include "agent/protocols/redis/session.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "agent/model/ids.h"
#include "agent/protocols/redis/matcher.h"
#include "agent/protocols/redis/parser.h"
#include "agent/protocols/redis/span_mapping.h"
#include "agent/protocols/redis/types.h"

namespace zerotrace::redis {
namespace {

bool Named(const Command& command, std::string_view name) {
  return command.name_known() && command.name.view() == name;
}

bool IsSimpleString(const Reply& reply, std::string_view text) {
  return reply.kind == ReplyKind::kSimpleString && !reply.head.cut && reply.head.view() == text;
}

// Kinds only RESP3 has.
bool IsResp3Only(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::kMap: case ReplyKind::kSet: case ReplyKind::kBoolean: case ReplyKind::kDouble:
    case ReplyKind::kBigNumber: case ReplyKind::kVerbatim: case ReplyKind::kBlobError:
    case ReplyKind::kPush:
      return true;
    default:
      return false;
  }
}

// SELECT's argument; Redis accepts plain decimal only.
std::optional<uint32_t> DbIndex(const InlineText<kMaxFirstArgBytes>& arg) {
  if (arg.cut || arg.size == 0 || arg.size > 9) return std::nullopt;
  uint32_t value = 0;
  for (char c : arg.view()) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  return value;
}

class Session final : public ProtocolSession, private MessageSink {
 public:
  Session(const ConnectionInfo& connection, ExchangeHandler& handler)
      : connection_(connection), handler_(handler) {}

  void OnChunk(StreamSide side, std::span<const uint8_t> captured, uint64_t total_size,
               const ChunkTiming& timing) override {
    if (side == StreamSide::kRequests) {
      if (!request_side_begun_) {
        // The connection's first bytes: no SELECT has run yet.
        request_side_begun_ = true;
        db_ = 0;
      }
      requests_.Feed(captured, total_size, timing);
    } else {
      replies_.Feed(captured, total_size, timing);
    }
  }

  void OnGap(StreamSide side, uint64_t lost_bytes) override {
    if (lost_bytes == 0) return;
    if (side == StreamSide::kRequests) {
      request_side_begun_ = true;  // picked up mid-stream, or a hole: db_ stays as framing says
      requests_.Gap(lost_bytes);
    } else {
      replies_.Gap(lost_bytes);
    }
  }

  void OnClose(const ChunkTiming& /*timing*/) override {
    matcher_.Retire();
    requests_.Reset();
    replies_.Reset();
  }

  // The connection ends without a close. A message cut short cannot be
  // completed without its bytes; what waits is counted as unpaired. (Until
  // then a command may rightly wait long for its reply: BLPOP 0.)
  void FinishPending() override { matcher_.Retire(); }

  size_t pending() const override { return matcher_.pending(); }
  const ProtocolStats& stats() const override { return stats_; }

 private:
  void OnCommand(Command& command) override {
    // A pipeline: every command the chunk began shares the context the
    // kernel gave the chunk (same trace, same parent), each its own span.
    if (!command.first_in_chunk && command.first_chunk.trace.valid())
      command.first_chunk.trace.span_id = NewSpanId();
    handler_.OnRequest(RequestStart{.connection = connection_, .first_chunk = command.first_chunk, .propagated = {}});
    if (Named(command, "SELECT")) ++selects_waiting_;
    matcher_.AddCommand(std::move(command), [this](Command& c, Reply& r) { Report(c, r); });
    AfterMatching();
  }

  void OnReply(Reply& reply) override {
    if (IsResp3Only(reply.kind)) matcher_.SetResp3(true);
    matcher_.AddReply(std::move(reply), [this](Command& c, Reply& r) { Report(c, r); });
    AfterMatching();
  }

  void OnFramingLost(StreamSide side) override {
    if (side == StreamSide::kRequests) {
      matcher_.CommandsLost();
      db_.reset();  // a SELECT may have gone by unseen
    } else {
      matcher_.RepliesLost();
      AfterMatching();
    }
  }

  void Report(const Command& command, const Reply& reply) {
    details_.Point(command, reply, db_);
    handler_.OnExchange(Exchange{.connection = connection_,
                                 .request_start = command.first_chunk,
                                 .response_end = reply.last_chunk,
                                 .propagated = {},
                                 .self_traffic = false,
                                 .details = details_});
    ApplyToConnection(command, reply);
  }

  // Commands that change what later spans say about the connection.
  void ApplyToConnection(const Command& command, const Reply& reply) {
    if (Named(command, "SELECT")) {
      if (selects_waiting_ > 0) --selects_waiting_;
      if (reply.is_error()) return;
      // +QUEUED inside MULTI takes effect at EXEC, which is not followed.
      db_ = IsSimpleString(reply, "OK") ? DbIndex(command.first_arg) : std::nullopt;
    } else if (Named(command, "HELLO")) {
      const bool answered = reply.kind == ReplyKind::kMap || reply.kind == ReplyKind::kArray;
      if (answered && command.first_arg.view() == "3") matcher_.SetResp3(true);
      if (answered && command.first_arg.view() == "2") matcher_.SetResp3(false);
    } else if (Named(command, "RESET") && IsSimpleString(reply, "RESET")) {
      db_ = 0;
      matcher_.SetResp3(false);
    }
  }

  // A SELECT dropped unanswered may or may not have switched the database.
  void AfterMatching() {
    if (stats_.unpaired_requests == unpaired_requests_seen_) return;
    unpaired_requests_seen_ = stats_.unpaired_requests;
    if (selects_waiting_ > 0) {
      db_.reset();
      selects_waiting_ = 0;
    }
  }

  const ConnectionInfo& connection_;
  ExchangeHandler& handler_;
  ProtocolStats stats_;
  Parser requests_{StreamSide::kRequests, *this, stats_};
  Parser replies_{StreamSide::kResponses, *this, stats_};
  Matcher matcher_{stats_};
  ExchangeDescription details_;

  bool request_side_begun_ = false;
  // The database index (db.namespace): unknown when the connection's start
  // was not seen, or a SELECT may have gone unseen, until a SELECT or RESET
  // is answered.
  std::optional<uint32_t> db_;
  uint32_t selects_waiting_ = 0;
  uint64_t unpaired_requests_seen_ = 0;
};

}  // namespace

std::unique_ptr<ProtocolSession> NewSession(const ConnectionInfo& connection, ExchangeHandler& handler) {
  return std::make_unique<Session>(connection, handler);
}

}  // namespace zerotrace::redis
