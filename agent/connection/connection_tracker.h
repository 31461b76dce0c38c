// Follows every traced connection: puts each direction's chunks back in
// stream order and hands them to the connection's protocol session (made by
// the SessionFactory for the protocol the kernel classified it as), which
// frames, pairs and reports exchanges. Protocol-neutral: nothing here knows
// what the bytes mean.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "agent/connection/connection_info.h"
#include "agent/connection/protocol_session.h"
#include "agent/connection/stream_reorderer.h"
#include "agent/events/event_decoder.h"

namespace zerotrace {

struct ConnectionKeyHash {
  size_t operator()(const ConnectionKey& k) const {
    uint64_t h = (static_cast<uint64_t>(k.tgid) << 32) ^ static_cast<uint32_t>(k.fd);
    h ^= k.generation * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

struct TrackerStats {
  uint64_t connections_opened = 0;
  uint64_t connections_closed = 0;
  uint64_t connections_expired = 0;
  uint64_t connections_evicted = 0;     // over the table limit
  uint64_t connections_of_exited = 0;   // their process exited
  uint64_t events_without_role = 0;
  uint64_t events_unknown_protocol = 0;  // no parser registered for the kernel's classification
};

struct TrackerLimits {
  size_t max_connections = 65536;
  uint64_t idle_timeout_ns = 120'000'000'000ull;  // keep-alive idle time kept
};

// Protocol ids are enum zt_protocol values: small.
inline constexpr size_t kMaxProtocolId = 16;
using ProtocolStatsById = std::array<ProtocolStats, kMaxProtocolId>;

class ConnectionTracker {
 public:
  // `handler` receives every session's requests and exchanges.
  ConnectionTracker(SessionFactory sessions, ExchangeHandler& handler, TrackerLimits limits = {});
  ~ConnectionTracker();

  void OnData(const DataEventView& event);
  void OnClose(const zt_close_event& event);
  // The process exited: its sockets closed without close(2). Finishes what
  // framing allows on each of its connections and forgets them.
  void ForgetProcess(uint32_t tgid);
  // Ages out held chunks, idle connections; call about every 100 ms.
  void Expire(uint64_t now_monotonic_ns);

  size_t connection_count() const { return connections_.size(); }
  const TrackerStats& stats() const { return stats_; }
  // Per protocol: connections already ended plus those open now.
  ProtocolStatsById protocol_stats() const;
  // Totals of connections already closed, expired or evicted.
  ReorderStats reorder_stats() const { return reorder_stats_; }

 private:
  struct Connection;
  Connection* FindOrOpen(const zt_data_event_header& header);
  void Retire(Connection& conn);
  void EvictOldest();
  // Flushes held chunks and what framing allows, and retires conn.
  void Finish(Connection& conn);

  SessionFactory sessions_;
  ExchangeHandler& handler_;
  TrackerLimits limits_;
  using ConnectionMap =
      std::unordered_map<ConnectionKey, std::unique_ptr<Connection>, ConnectionKeyHash>;
  ConnectionMap::iterator Erase(ConnectionMap::iterator it);

  ConnectionMap connections_;
  std::unordered_map<uint32_t, uint32_t> connections_per_process_;  // tgid → connections
  TrackerStats stats_;
  ProtocolStatsById retired_protocol_stats_{};
  ReorderStats reorder_stats_;
};

// "127.0.0.1" / "::1"; IPv4-mapped IPv6 addresses are shown as IPv4.
std::string FormatAddress(uint16_t family, const uint8_t (&addr)[16]);

}  // namespace zerotrace
