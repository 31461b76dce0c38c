#include "agent/connection/connection_tracker.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace zerotrace {

// One direction feeding one parser. The parser does the framing; this only
// adapts the reorderer's output to it.
class ParserFeed : public StreamConsumer {
 public:
  explicit ParserFeed(http1::MessageKind kind) : parser(kind) {}
  void OnChunk(std::span<const uint8_t> captured, uint64_t total_size,
               const http1::ChunkTiming& timing) override {
    parser.Feed(captured, total_size, timing);
  }
  void OnGap(uint64_t lost_bytes) override {
    parser.Gap(lost_bytes);
    lost_messages = true;
  }

  http1::Parser parser;
  bool lost_messages = false;  // a gap since the tracker last looked
  StreamReorderer order;
};

struct ConnectionTracker::Connection {
  explicit Connection(const ConnectionInfo& i)
      : info(i),
        requests(http1::MessageKind::kRequest),
        responses(http1::MessageKind::kResponse) {}

  // Which kernel direction carries requests: a server reads them, a client
  // writes them.
  ParserFeed& FeedFor(uint8_t direction) {
    bool ingress = direction == ZT_DIR_INGRESS;
    bool carries_requests = (info.role == ConnectionRole::kServer) == ingress;
    return carries_requests ? requests : responses;
  }

  ConnectionInfo info;
  ParserFeed requests;
  ParserFeed responses;
  std::deque<http1::Request> pending_requests;
  std::deque<http1::Response> pending_responses;
  uint64_t last_event_ns = 0;
};

std::string FormatAddress(uint16_t family, const uint8_t (&addr)[16]) {
  char text[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) {
    inet_ntop(AF_INET, addr, text, sizeof(text));
    return text;
  }
  static constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(addr, kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0) {
    inet_ntop(AF_INET, addr + 12, text, sizeof(text));
    return text;
  }
  inet_ntop(AF_INET6, addr, text, sizeof(text));
  return text;
}

namespace {

ConnectionInfo InfoFromHeader(const zt_data_event_header& h) {
  ConnectionInfo info;
  info.key = {h.conn.tgid, h.conn.fd, h.conn.generation};
  info.role = h.role == ZT_ROLE_SERVER   ? ConnectionRole::kServer
              : h.role == ZT_ROLE_CLIENT ? ConnectionRole::kClient
                                         : ConnectionRole::kUnknown;
  info.ipv6 = h.endpoints.family == AF_INET6;
  info.local_address = FormatAddress(h.endpoints.family, h.endpoints.local_addr);
  info.peer_address = FormatAddress(h.endpoints.family, h.endpoints.peer_addr);
  info.local_port = h.endpoints.local_port;
  info.peer_port = h.endpoints.peer_port;
  // A TLS connection's events all carry plaintext from the TLS library
  // probes; its ciphertext is never sent up.
  info.tls = h.syscall == ZT_SYS_SSL_READ || h.syscall == ZT_SYS_SSL_WRITE;
  return info;
}

void Accumulate(http1::ParserStats& into, const http1::ParserStats& s) {
  into.messages += s.messages;
  into.garbage_chunks += s.garbage_chunks;
  into.resyncs += s.resyncs;
}

void Accumulate(ReorderStats& into, const ReorderStats& s) {
  into.reordered += s.reordered;
  into.stale += s.stale;
  into.gaps += s.gaps;
  into.gap_bytes += s.gap_bytes;
}

// A response cannot answer a request that the process had not yet begun to
// send or receive when the response was over: such a response belongs to a
// request we never saw (the connection was picked up mid-stream).
bool AnsweredBefore(const http1::Response& response, const http1::Request& request) {
  return response.last_chunk.exit_ns < request.first_chunk.enter_ns;
}

}  // namespace

ConnectionTracker::ConnectionTracker(ExchangeHandler on_exchange, TrackerLimits limits)
    : on_exchange_(std::move(on_exchange)), limits_(limits) {}

ConnectionTracker::~ConnectionTracker() = default;

namespace {

KernelTraceContext KernelContextOf(const zt_data_event_header& h) {
  KernelTraceContext context;
  if (h.trace.link == ZT_LINK_NONE || h.trace.link > ZT_LINK_PEER) return context;
  std::copy(std::begin(h.trace.trace_id), std::end(h.trace.trace_id), context.trace_id.begin());
  std::copy(std::begin(h.trace.span_id), std::end(h.trace.span_id), context.span_id.begin());
  std::copy(std::begin(h.trace.parent_span_id), std::end(h.trace.parent_span_id),
            context.parent_span_id.begin());
  context.link = static_cast<TraceLink>(h.trace.link);
  return context;
}

}  // namespace

ConnectionTracker::Connection& ConnectionTracker::FindOrOpen(const zt_data_event_header& h) {
  ConnectionKey key{h.conn.tgid, h.conn.fd, h.conn.generation};
  auto it = connections_.find(key);
  if (it != connections_.end()) return *it->second;
  if (connections_.size() >= limits_.max_connections) EvictOldest();
  ++stats_.connections_opened;
  auto [pos, _] = connections_.emplace(key, std::make_unique<Connection>(InfoFromHeader(h)));
  ++connections_per_process_[key.tgid];
  return *pos->second;
}

void ConnectionTracker::OnData(const DataEventView& event) {
  const zt_data_event_header& h = *event.header;
  if (h.role != ZT_ROLE_SERVER && h.role != ZT_ROLE_CLIENT) {
    ++stats_.events_without_role;
    return;
  }
  Connection& conn = FindOrOpen(h);
  conn.last_event_ns = h.exit_ns;
  http1::ChunkTiming timing{h.enter_ns, h.exit_ns, h.tid, KernelContextOf(h)};
  ParserFeed& feed = conn.FeedFor(h.direction);
  // Bytes going the other way prove the message in progress on this side is
  // over, when its own framing could not tell.
  ParserFeed& other = &feed == &conn.requests ? conn.responses : conn.requests;
  other.parser.FinishPending();
  feed.order.Push(h.stream_offset, event.captured, h.msg_size, timing, feed);
  Pair(conn);
}

void ConnectionTracker::ForgetAcrossGaps(Connection& conn) {
  // Lost bytes may have held whole messages, so FIFO order no longer says
  // which response answers which request. Pairing wrongly is worse than not
  // pairing: what waits on the other side of the hole is dropped.
  if (conn.responses.lost_messages) {
    stats_.unpaired_requests += conn.pending_requests.size();
    conn.pending_requests.clear();
    conn.responses.parser.ForgetExpectedResponses();
    conn.responses.lost_messages = false;
  }
  if (conn.requests.lost_messages) {
    stats_.unpaired_responses += conn.pending_responses.size();
    conn.pending_responses.clear();
    conn.requests.lost_messages = false;
  }
}

void ConnectionTracker::Pair(Connection& conn) {
  auto& parsed_requests = conn.requests.parser.requests();
  while (!parsed_requests.empty()) {
    conn.responses.parser.ExpectResponseTo(parsed_requests.front().method);
    if (on_request_) on_request_(conn.info, parsed_requests.front());
    conn.pending_requests.push_back(std::move(parsed_requests.front()));
    parsed_requests.pop_front();
  }
  // Requests parsed before a response-side hole are behind it; responses
  // parsed after it are not.
  if (conn.responses.lost_messages) ForgetAcrossGaps(conn);
  auto& parsed_responses = conn.responses.parser.responses();
  while (!parsed_responses.empty()) {
    conn.pending_responses.push_back(std::move(parsed_responses.front()));
    parsed_responses.pop_front();
  }
  if (conn.requests.lost_messages) ForgetAcrossGaps(conn);

  while (!conn.pending_requests.empty() && !conn.pending_responses.empty()) {
    if (AnsweredBefore(conn.pending_responses.front(), conn.pending_requests.front())) {
      ++stats_.unpaired_responses;
      conn.pending_responses.pop_front();
      continue;
    }
    HttpExchange exchange{conn.info, std::move(conn.pending_requests.front()),
                          std::move(conn.pending_responses.front())};
    conn.pending_requests.pop_front();
    conn.pending_responses.pop_front();
    ++stats_.exchanges;
    on_exchange_(std::move(exchange));
  }
  // Responses with no request to answer: a connection picked up mid-stream.
  // Kept briefly in case the request's event is late, then dropped.
  while (conn.pending_responses.size() > 4) {
    ++stats_.unpaired_responses;
    conn.pending_responses.pop_front();
  }
  while (conn.pending_requests.size() > limits_.max_pending_per_connection) {
    ++stats_.unpaired_requests;
    conn.pending_requests.pop_front();
  }
}

void ConnectionTracker::OnClose(const zt_close_event& event) {
  ConnectionKey key{event.conn.tgid, event.conn.fd, event.conn.generation};
  auto it = connections_.find(key);
  if (it == connections_.end()) return;
  Connection& conn = *it->second;
  http1::ChunkTiming timing{event.timestamp_ns, event.timestamp_ns, event.tid};
  conn.requests.order.FlushHeld(0, true, conn.requests);
  conn.responses.order.FlushHeld(0, true, conn.responses);
  conn.requests.parser.Close(timing);
  conn.responses.parser.Close(timing);
  Pair(conn);
  ++stats_.connections_closed;
  Retire(conn);
  Erase(it);
}

void ConnectionTracker::Retire(Connection& conn) {
  stats_.unpaired_requests += conn.pending_requests.size();
  stats_.unpaired_responses += conn.pending_responses.size();
  Accumulate(parser_stats_, conn.requests.parser.stats());
  Accumulate(parser_stats_, conn.responses.parser.stats());
  Accumulate(reorder_stats_, conn.requests.order.stats());
  Accumulate(reorder_stats_, conn.responses.order.stats());
}

void ConnectionTracker::Expire(uint64_t now_ns) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    Connection& conn = *it->second;
    bool idle = now_ns > conn.last_event_ns && now_ns - conn.last_event_ns > limits_.idle_timeout_ns;
    if (conn.requests.order.held() || conn.responses.order.held()) {
      conn.requests.order.FlushHeld(now_ns, idle, conn.requests);
      conn.responses.order.FlushHeld(now_ns, idle, conn.responses);
      Pair(conn);
    }
    if (!idle) {
      ++it;
      continue;
    }
    // The process may have exited (its sockets close without a close()
    // syscall): finish what framing allows and forget the connection.
    conn.requests.parser.FinishPending();
    conn.responses.parser.FinishPending();
    Pair(conn);
    ++stats_.connections_expired;
    Retire(conn);
    it = Erase(it);
  }
}

void ConnectionTracker::Finish(Connection& conn) {
  const uint64_t flush_all = ~0ull;
  conn.requests.order.FlushHeld(flush_all, true, conn.requests);
  conn.responses.order.FlushHeld(flush_all, true, conn.responses);
  conn.requests.parser.FinishPending();
  conn.responses.parser.FinishPending();
  Pair(conn);
  Retire(conn);
}

ConnectionTracker::ConnectionMap::iterator ConnectionTracker::Erase(ConnectionMap::iterator it) {
  const uint32_t tgid = it->first.tgid;
  if (auto count = connections_per_process_.find(tgid);
      count != connections_per_process_.end() && --count->second == 0)
    connections_per_process_.erase(count);
  return connections_.erase(it);
}

void ConnectionTracker::ForgetProcess(uint32_t tgid) {
  // Most processes that exit had no HTTP connection: skip the walk.
  if (!connections_per_process_.contains(tgid)) return;
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->first.tgid != tgid) {
      ++it;
      continue;
    }
    ++stats_.connections_of_exited;
    Finish(*it->second);
    it = Erase(it);
  }
}

void ConnectionTracker::EvictOldest() {
  auto oldest = std::min_element(connections_.begin(), connections_.end(),
                                 [](const auto& a, const auto& b) {
                                   return a.second->last_event_ns < b.second->last_event_ns;
                                 });
  if (oldest == connections_.end()) return;
  ++stats_.connections_evicted;
  Retire(*oldest->second);
  Erase(oldest);
}

}  // namespace zerotrace
