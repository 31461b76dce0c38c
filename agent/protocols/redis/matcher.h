// Pairs Redis commands with their replies on one connection. Redis answers
// in order, so pairing is FIFO (FifoMatcher), MULTI's +QUEUED and EXEC's
// array included, with the exceptions Redis makes:
//
// - Push messages (RESP3 `>`: pub/sub, client-side caching invalidations)
//   answer no command: never paired.
// - In RESP3 the SUBSCRIBE family is answered by pushes only: not queued.
// - In RESP2 (or while the version is unknown) SUBSCRIBE and friends put the
//   connection in pub/sub mode, where replies are no longer one per command;
//   MONITOR streams its log after its +OK, and CLIENT REPLY OFF|SKIP
//   suppresses replies. Pairing stops for good on that connection: the
//   commands still waiting get the next replies (they come first), and
//   everything after is skipped, counted as unpaired. Never a wrong pair.
//
// Pipelines are deep in Redis (hundreds of commands in one write are
// common), so more commands wait than FifoMatcher's default allows. Beyond
// kLimits the oldest are dropped as unpaired, and the replies that answer
// them, which come first, are skipped rather than paired with later ones.
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <utility>

#include "agent/connection/protocol_session.h"
#include "agent/protocols/fifo_matcher.h"
#include "agent/protocols/redis/types.h"

namespace zerotrace::redis {

class Matcher {
 public:
  // A Command is ~300 bytes: the bound on what one connection holds.
  static constexpr FifoMatcherLimits kLimits{.max_pending_requests = 256, .max_orphan_responses = 4};

  explicit Matcher(ProtocolStats& stats) : stats_(stats), fifo_(stats, kLimits) {}

  // Each calls on_pair(Command&, Reply&) for every pair completed, oldest first.
  template <typename OnPair>
  void AddCommand(Command&& command, OnPair&& on_pair);
  template <typename OnPair>
  void AddReply(Reply&& reply, OnPair&& on_pair);

  // Framing was lost on the request side: the replies waiting may answer
  // commands that went by unseen.
  void CommandsLost() { fifo_.DropResponses(); }
  // On the reply side: the commands waiting may have been answered unseen.
  void RepliesLost();
  // The connection is gone.
  void Retire();

  // The protocol version, as HELLO's answer (or a RESP3-only reply) tells.
  void SetResp3(bool resp3) { resp3_ = resp3; }
  bool resp3() const { return resp3_; }
  bool pairing_stopped() const { return stopped_; }
  size_t pending() const { return fifo_.pending(); }

 private:
  enum class Rule : uint8_t {
    kOneReply,            // the usual case
    kAnsweredByPushes,    // RESP3 SUBSCRIBE family: no reply to pair
    kStopsPairing,        // pub/sub in RESP2, CLIENT REPLY
    kStopsAfterItsReply,  // MONITOR: +OK, then its log
  };
  Rule RuleFor(const Command& command) const;
  void StopPairing() {
    stopped_ = true;
    replies_owed_ = queued_commands_;
  }
  template <typename OnPair>
  void Pair(OnPair& on_pair);

  ProtocolStats& stats_;
  FifoMatcher<Command, Reply> fifo_;
  bool resp3_ = false;
  bool stopped_ = false;
  // Commands in fifo_ (FifoMatcher does not say), and after pairing stopped,
  // how many of the replies to come still answer them.
  size_t queued_commands_ = 0;
  size_t replies_owed_ = 0;
  // Replies still to come for commands dropped over the limit.
  uint64_t replies_to_skip_ = 0;
};

template <typename OnPair>
void Matcher::AddCommand(Command&& command, OnPair&& on_pair) {
  if (stopped_) {
    ++stats_.unpaired_requests;
    return;
  }
  switch (RuleFor(command)) {
    case Rule::kAnsweredByPushes:
      return;
    case Rule::kStopsPairing:
      ++stats_.unpaired_requests;
      StopPairing();
      return;
    case Rule::kStopsAfterItsReply:
      fifo_.PushRequest(std::move(command));
      ++queued_commands_;
      StopPairing();
      break;
    case Rule::kOneReply:
      fifo_.PushRequest(std::move(command));
      ++queued_commands_;
      break;
  }
  Pair(on_pair);
}

template <typename OnPair>
void Matcher::AddReply(Reply&& reply, OnPair&& on_pair) {
  if (reply.kind == ReplyKind::kPush) {
    resp3_ = true;  // only RESP3 has pushes
    return;
  }
  if (replies_to_skip_ > 0) {
    --replies_to_skip_;  // its command was counted unpaired when dropped
    return;
  }
  if (stopped_) {
    if (replies_owed_ == 0) {
      ++stats_.unpaired_responses;
      return;
    }
    --replies_owed_;
  }
  fifo_.PushResponse(std::move(reply));
  Pair(on_pair);
}

template <typename OnPair>
void Matcher::Pair(OnPair& on_pair) {
  const uint64_t dropped_before = stats_.unpaired_requests;
  fifo_.Pair([&](Command& command, Reply& reply) {
    --queued_commands_;
    on_pair(command, reply);
  });
  // FifoMatcher drops the oldest commands beyond its limit (only when no
  // reply waits, so theirs are still to come).
  const uint64_t dropped = stats_.unpaired_requests - dropped_before;
  queued_commands_ -= std::min<uint64_t>(dropped, queued_commands_);
  replies_to_skip_ += dropped;
  if (replies_owed_ > queued_commands_) replies_owed_ = queued_commands_;
}

}  // namespace zerotrace::redis
