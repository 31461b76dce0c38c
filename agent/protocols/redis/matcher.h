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
// common), so more commands wait than FifoMatcher's default allows; beyond
// kLimits FifoMatcher drops the oldest and skips their replies.
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
    replies_owed_ = fifo_.responses_owed();
  }
  template <typename OnPair>
  void Pair(OnPair& on_pair);

  ProtocolStats& stats_;
  FifoMatcher<Command, Reply> fifo_;
  bool resp3_ = false;
  bool stopped_ = false;
  // After pairing stopped: how many of the replies to come still answer
  // commands seen before.
  size_t replies_owed_ = 0;
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
      StopPairing();
      break;
    case Rule::kOneReply:
      fifo_.PushRequest(std::move(command));
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
  fifo_.Pair(on_pair);
  replies_owed_ = std::min(replies_owed_, fifo_.responses_owed());
}

}  // namespace zerotrace::redis
