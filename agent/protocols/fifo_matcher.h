// Pairs requests with responses in order: what HTTP/1.x pipelining and Redis
// pipelines mean (the n-th response answers the n-th request).
//
// Holes in a capture are normal. Lost bytes may have held whole messages, so
// after one, order no longer says which response answers which request, and
// pairing wrongly is worse than not pairing: the session drops what waits on
// the other side of the hole (DropRequests / DropResponses), counted as
// unpaired.
//
// Over the pending limit the oldest requests are dropped as unpaired; the
// responses that answer them come first, and are skipped rather than paired
// with later requests.
//
// Request must have `first_chunk` and Response `last_chunk` (ChunkTiming).
#pragma once

#include <cstddef>
#include <deque>
#include <utility>

#include "agent/connection/protocol_session.h"

namespace zerotrace {

struct FifoMatcherLimits {
  size_t max_pending_requests = 64;  // requests awaiting responses
  // Responses with no request to answer (a connection picked up mid-stream)
  // are kept briefly in case the request's event is late, then dropped.
  size_t max_orphan_responses = 4;
};

template <typename Request, typename Response>
class FifoMatcher {
 public:
  explicit FifoMatcher(ProtocolStats& stats, FifoMatcherLimits limits = {})
      : stats_(stats), limits_(limits) {}

  void PushRequest(Request&& request) { requests_.push_back(std::move(request)); }
  void PushResponse(Response&& response) {
    if (responses_to_skip_ > 0) {
      --responses_to_skip_;  // answers a request dropped over the limit (counted then)
      return;
    }
    responses_.push_back(std::move(response));
  }

  // A hole on the response side: the requests waiting may have been
  // answered inside it (and the responses to skip too: order says nothing now).
  void DropRequests() {
    stats_.unpaired_requests += requests_.size();
    requests_.clear();
    responses_to_skip_ = 0;
  }
  // A hole on the request side: the responses waiting may answer requests
  // lost inside it.
  void DropResponses() {
    stats_.unpaired_responses += responses_.size();
    responses_.clear();
  }

  // Calls on_pair(Request&, Response&) for each pair, oldest first, then
  // applies the limits.
  template <typename OnPair>
  void Pair(OnPair&& on_pair) {
    while (!requests_.empty() && !responses_.empty()) {
      // A response over before its request began belongs to a request we
      // never saw (the connection was picked up mid-stream).
      if (responses_.front().last_chunk.exit_ns < requests_.front().first_chunk.enter_ns) {
        ++stats_.unpaired_responses;
        responses_.pop_front();
        continue;
      }
      ++stats_.exchanges;
      on_pair(requests_.front(), responses_.front());
      requests_.pop_front();
      responses_.pop_front();
    }
    while (responses_.size() > limits_.max_orphan_responses) {
      ++stats_.unpaired_responses;
      responses_.pop_front();
    }
    // Only when no response waits (pairing just emptied one side), so the
    // dropped requests' responses are still to come.
    while (requests_.size() > limits_.max_pending_requests) {
      ++stats_.unpaired_requests;
      ++responses_to_skip_;
      requests_.pop_front();
    }
  }

  // The connection is gone: what waits is counted as unpaired.
  void Retire() {
    DropRequests();
    DropResponses();
  }

  size_t pending() const { return requests_.size() + responses_.size(); }
  size_t pending_requests() const { return requests_.size(); }
  // Responses still to come for the requests seen: those waiting, and those
  // of requests dropped over the limit.
  size_t responses_owed() const { return requests_.size() + responses_to_skip_; }

 private:
  ProtocolStats& stats_;
  FifoMatcherLimits limits_;
  std::deque<Request> requests_;
  std::deque<Response> responses_;
  size_t responses_to_skip_ = 0;
};

}  // namespace zerotrace
