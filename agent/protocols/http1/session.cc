#include "agent/protocols/http1/session.h"

#include "agent/model/self_traffic.h"
#include "agent/protocols/fifo_matcher.h"
#include "agent/protocols/http1/parser.h"
#include "agent/protocols/http1/span_mapping.h"

namespace zerotrace::http1 {
namespace {

class Session final : public ProtocolSession {
 public:
  Session(const ConnectionInfo& connection, ExchangeHandler& handler)
      : connection_(connection),
        handler_(handler),
        requests_(MessageKind::kRequest),
        responses_(MessageKind::kResponse),
        matcher_(stats_) {}

  void OnChunk(StreamSide side, std::span<const uint8_t> captured, uint64_t total_size,
               const ChunkTiming& timing) override {
    // Bytes going the other way prove the message in progress on this side
    // is over, when its own framing could not tell.
    Parser& parser = side == StreamSide::kRequests ? requests_ : responses_;
    Parser& other = side == StreamSide::kRequests ? responses_ : requests_;
    other.FinishPending();
    parser.Feed(captured, total_size, timing);
    Pair();
  }

  void OnGap(StreamSide side, uint64_t lost_bytes) override {
    if (side == StreamSide::kRequests) {
      requests_.Gap(lost_bytes);
      requests_lost_ = true;
    } else {
      responses_.Gap(lost_bytes);
      responses_lost_ = true;
    }
  }

  void OnClose(const ChunkTiming& timing) override {
    requests_.Close(timing);
    responses_.Close(timing);
    Pair();
    matcher_.Retire();
  }

  void FinishPending() override {
    requests_.FinishPending();
    responses_.FinishPending();
    Pair();
    matcher_.Retire();
  }

  size_t pending() const override { return matcher_.pending(); }

  const ProtocolStats& stats() const override {
    const ParserStats& q = requests_.stats();
    const ParserStats& r = responses_.stats();
    stats_.messages = q.messages + r.messages;
    stats_.garbage_chunks = q.garbage_chunks + r.garbage_chunks;
    stats_.resyncs = q.resyncs + r.resyncs;
    return stats_;
  }

 private:
  void Pair() {
    auto& parsed_requests = requests_.requests();
    while (!parsed_requests.empty()) {
      Request& request = parsed_requests.front();
      responses_.ExpectResponseTo(request.method);
      handler_.OnRequest({connection_, request.first_chunk, {request.traceparent, request.tracestate}});
      matcher_.PushRequest(std::move(request));
      parsed_requests.pop_front();
    }
    // Requests parsed before a response-side hole are behind it; responses
    // parsed after it are not.
    if (responses_lost_) {
      matcher_.DropRequests();
      responses_.ForgetExpectedResponses();
      responses_lost_ = false;
    }
    auto& parsed_responses = responses_.responses();
    while (!parsed_responses.empty()) {
      matcher_.PushResponse(std::move(parsed_responses.front()));
      parsed_responses.pop_front();
    }
    if (requests_lost_) {
      matcher_.DropResponses();
      requests_lost_ = false;
    }
    matcher_.Pair([this](const Request& request, const Response& response) {
      mapping_.Point(request, response);
      handler_.OnExchange({.connection = connection_,
                           .request_start = request.first_chunk,
                           .response_end = response.last_chunk,
                           .propagated = {request.traceparent, request.tracestate},
                           .self_traffic = IsSelfTraffic(request.user_agent),
                           .details = mapping_});
    });
  }

  const ConnectionInfo& connection_;
  ExchangeHandler& handler_;
  Parser requests_;
  Parser responses_;
  mutable ProtocolStats stats_;  // pairing counters; parser counters copied in by stats()
  FifoMatcher<Request, Response> matcher_;
  SpanMapping mapping_;
  bool requests_lost_ = false;   // a gap since the last pairing
  bool responses_lost_ = false;
};

}  // namespace

std::unique_ptr<ProtocolSession> NewSession(const ConnectionInfo& connection, ExchangeHandler& handler) {
  return std::make_unique<Session>(connection, handler);
}

}  // namespace zerotrace::http1
