// Follows every traced connection: puts each direction's chunks in order,
// feeds them to the HTTP/1.x parsers, and pairs each request with its
// response (FIFO per connection, which is what HTTP/1.x pipelining means).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

#include "agent/connection/connection_info.h"
#include "agent/connection/http_exchange.h"
#include "agent/connection/stream_reorderer.h"
#include "agent/events/event_decoder.h"
#include "agent/protocols/http1/parser.h"

namespace zerotrace {

struct ConnectionKeyHash {
  size_t operator()(const ConnectionKey& k) const {
    uint64_t h = (static_cast<uint64_t>(k.tgid) << 32) ^ static_cast<uint32_t>(k.fd);
    h ^= k.generation * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

struct TrackerStats {
  uint64_t exchanges = 0;
  uint64_t connections_opened = 0;
  uint64_t connections_closed = 0;
  uint64_t connections_expired = 0;
  uint64_t connections_evicted = 0;     // over the table limit
  uint64_t connections_of_exited = 0;   // their process exited
  uint64_t unpaired_requests = 0;       // no response ever came
  uint64_t unpaired_responses = 0;      // response without a request seen
  uint64_t events_without_role = 0;
};

struct TrackerLimits {
  size_t max_connections = 65536;
  uint64_t idle_timeout_ns = 120'000'000'000ull;  // keep-alive idle time kept
  size_t max_pending_per_connection = 64;          // requests awaiting responses
};

class ConnectionTracker {
 public:
  using ExchangeHandler = std::function<void(HttpExchange&&)>;

  // Called as each request is parsed, before its response: the trace linker
  // decides a server request's trace ahead of its children.
  using RequestHandler = std::function<void(const ConnectionInfo&, const http1::Request&)>;

  explicit ConnectionTracker(ExchangeHandler on_exchange, TrackerLimits limits = {});
  void set_request_handler(RequestHandler on_request) { on_request_ = std::move(on_request); }
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
  // Totals of connections already closed, expired or evicted.
  http1::ParserStats parser_stats() const { return parser_stats_; }
  ReorderStats reorder_stats() const { return reorder_stats_; }

 private:
  struct Connection;
  Connection& FindOrOpen(const zt_data_event_header& header);
  void Pair(Connection& conn);
  void ForgetAcrossGaps(Connection& conn);
  void Retire(Connection& conn);
  void EvictOldest();
  // Flushes held chunks and what framing allows, pairs, and retires conn.
  void Finish(Connection& conn);

  ExchangeHandler on_exchange_;
  RequestHandler on_request_;
  TrackerLimits limits_;
  using ConnectionMap =
      std::unordered_map<ConnectionKey, std::unique_ptr<Connection>, ConnectionKeyHash>;
  ConnectionMap::iterator Erase(ConnectionMap::iterator it);

  ConnectionMap connections_;
  std::unordered_map<uint32_t, uint32_t> connections_per_process_;  // tgid → connections
  TrackerStats stats_;
  http1::ParserStats parser_stats_;
  ReorderStats reorder_stats_;
};

// "127.0.0.1" / "::1"; IPv4-mapped IPv6 addresses are shown as IPv4.
std::string FormatAddress(uint16_t family, const uint8_t (&addr)[16]);

}  // namespace zerotrace
