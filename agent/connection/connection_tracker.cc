#include "agent/connection/connection_tracker.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace zerotrace {

// One side of a connection: its reorderer, feeding the session.
class SideFeed : public StreamConsumer {
 public:
  SideFeed(StreamSide side, ProtocolSession& session) : side_(side), session_(session) {}
  void OnChunk(std::span<const uint8_t> captured, uint64_t total_size,
               const ChunkTiming& timing) override {
    session_.OnChunk(side_, captured, total_size, timing);
  }
  void OnGap(uint64_t lost_bytes) override { session_.OnGap(side_, lost_bytes); }

  StreamReorderer order;

 private:
  StreamSide side_;
  ProtocolSession& session_;
};

struct ConnectionTracker::Connection {
  Connection(const ConnectionInfo& i, uint8_t protocol_id, const SessionFactory& sessions,
             ExchangeHandler& handler)
      : info(i),
        protocol(protocol_id),
        session(sessions(protocol_id, info, handler)),
        requests(StreamSide::kRequests, *session),
        responses(StreamSide::kResponses, *session) {}

  // Which kernel direction carries requests: a server reads them, a client
  // writes them.
  SideFeed& FeedFor(uint8_t direction) {
    bool ingress = direction == ZT_DIR_INGRESS;
    bool carries_requests = (info.role == ConnectionRole::kServer) == ingress;
    return carries_requests ? requests : responses;
  }

  ConnectionInfo info;
  uint8_t protocol;
  std::unique_ptr<ProtocolSession> session;  // never null (FindOrOpen checks)
  SideFeed requests;
  SideFeed responses;
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

void Accumulate(ReorderStats& into, const ReorderStats& s) {
  into.reordered += s.reordered;
  into.stale += s.stale;
  into.gaps += s.gaps;
  into.gap_bytes += s.gap_bytes;
}

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

ConnectionTracker::ConnectionTracker(SessionFactory sessions, ExchangeHandler& handler,
                                     TrackerLimits limits)
    : sessions_(std::move(sessions)), handler_(handler), limits_(limits) {}

ConnectionTracker::~ConnectionTracker() = default;

ConnectionTracker::Connection* ConnectionTracker::FindOrOpen(const zt_data_event_header& h) {
  ConnectionKey key{h.conn.tgid, h.conn.fd, h.conn.generation};
  auto it = connections_.find(key);
  if (it != connections_.end()) return it->second.get();
  if (h.protocol >= kMaxProtocolId) return nullptr;
  auto conn = std::make_unique<Connection>(InfoFromHeader(h), h.protocol, sessions_, handler_);
  if (!conn->session) return nullptr;
  if (connections_.size() >= limits_.max_connections) EvictOldest();
  ++stats_.connections_opened;
  auto [pos, _] = connections_.emplace(key, std::move(conn));
  ++connections_per_process_[key.tgid];
  return pos->second.get();
}

void ConnectionTracker::OnData(const DataEventView& event) {
  const zt_data_event_header& h = *event.header;
  if (h.role != ZT_ROLE_SERVER && h.role != ZT_ROLE_CLIENT) {
    ++stats_.events_without_role;
    return;
  }
  Connection* conn = FindOrOpen(h);
  if (!conn) {
    ++stats_.events_unknown_protocol;
    return;
  }
  conn->last_event_ns = h.exit_ns;
  ChunkTiming timing{h.enter_ns, h.exit_ns, h.tid, KernelContextOf(h)};
  SideFeed& feed = conn->FeedFor(h.direction);
  feed.order.Push(h.stream_offset, event.captured, h.msg_size, timing, feed);
}

void ConnectionTracker::OnClose(const zt_close_event& event) {
  ConnectionKey key{event.conn.tgid, event.conn.fd, event.conn.generation};
  auto it = connections_.find(key);
  if (it == connections_.end()) return;
  Connection& conn = *it->second;
  ChunkTiming timing{event.timestamp_ns, event.timestamp_ns, event.tid};
  conn.requests.order.FlushHeld(0, true, conn.requests);
  conn.responses.order.FlushHeld(0, true, conn.responses);
  conn.session->OnClose(timing);
  ++stats_.connections_closed;
  Retire(conn);
  Erase(it);
}

void ConnectionTracker::Retire(Connection& conn) {
  Accumulate(retired_protocol_stats_[conn.protocol], conn.session->stats());
  Accumulate(reorder_stats_, conn.requests.order.stats());
  Accumulate(reorder_stats_, conn.responses.order.stats());
}

ProtocolStatsById ConnectionTracker::protocol_stats() const {
  ProtocolStatsById totals = retired_protocol_stats_;
  for (const auto& [key, conn] : connections_) Accumulate(totals[conn->protocol], conn->session->stats());
  return totals;
}

void ConnectionTracker::Expire(uint64_t now_ns) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    Connection& conn = *it->second;
    bool idle = now_ns > conn.last_event_ns && now_ns - conn.last_event_ns > limits_.idle_timeout_ns;
    if (conn.requests.order.held() || conn.responses.order.held()) {
      conn.requests.order.FlushHeld(now_ns, idle, conn.requests);
      conn.responses.order.FlushHeld(now_ns, idle, conn.responses);
    }
    if (!idle) {
      ++it;
      continue;
    }
    // The process may have exited (its sockets close without a close()
    // syscall): finish what framing allows and forget the connection.
    conn.session->FinishPending();
    ++stats_.connections_expired;
    Retire(conn);
    it = Erase(it);
  }
}

void ConnectionTracker::Finish(Connection& conn) {
  const uint64_t flush_all = ~0ull;
  conn.requests.order.FlushHeld(flush_all, true, conn.requests);
  conn.responses.order.FlushHeld(flush_all, true, conn.responses);
  conn.session->FinishPending();
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
  // Most processes that exit had no traced connection: skip the walk.
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
  oldest->second->session->FinishPending();
  Retire(*oldest->second);
  Erase(oldest);
}

}  // namespace zerotrace
