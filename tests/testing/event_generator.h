// Synthetic kernel events for unit tests: what bpf/socket_trace.bpf.c would
// send for one connection of a given protocol (HTTP/1.x unless told), with stream offsets kept per direction, so tests
// can reorder, drop or truncate them at will.
#pragma once

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "agent/events/event_decoder.h"
#include "bpf/zerotrace_events.h"

namespace zerotrace::testing {

// An owned event record; view() gives what the ring buffer reader would.
struct GeneratedEvent {
  std::vector<uint8_t> record;

  DataEventView view() const {
    auto decoded = DecodeEvent(record);
    return std::get<DataEventView>(decoded);
  }
  const zt_data_event_header& header() const {
    return *reinterpret_cast<const zt_data_event_header*>(record.data());
  }
};

class EventGenerator {
 public:
  EventGenerator(uint8_t role, uint32_t tgid = 100, int32_t fd = 7, uint64_t generation = 1,
                 uint8_t protocol = ZT_PROTO_HTTP1)
      : role_(role), protocol_(protocol), tgid_(tgid), fd_(fd), generation_(generation) {
    endpoints_.family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", endpoints_.local_addr);
    inet_pton(AF_INET, "10.0.0.2", endpoints_.peer_addr);
    endpoints_.local_port = role == ZT_ROLE_SERVER ? 8080 : 45000;
    endpoints_.peer_port = role == ZT_ROLE_SERVER ? 45000 : 8080;
  }

  // One syscall moving `bytes` (all captured unless `capture_limit` is lower),
  // entering at `enter_ns` and returning at `exit_ns`.
  GeneratedEvent Data(uint8_t direction, std::string_view bytes, uint64_t enter_ns,
                      uint64_t exit_ns, size_t capture_limit = ZT_MAX_CAPTURE,
                      uint32_t tid = 0) {
    size_t captured = std::min(bytes.size(), capture_limit);
    GeneratedEvent ev;
    ev.record.resize(sizeof(zt_data_event_header) + captured);
    zt_data_event_header h{};
    h.type = ZT_EVENT_DATA;
    h.tid = tid ? tid : tgid_;
    h.conn = {tgid_, fd_, generation_};
    h.enter_ns = enter_ns;
    h.exit_ns = exit_ns;
    h.stream_offset = offsets_[direction & 1];
    h.msg_size = static_cast<uint32_t>(bytes.size());
    h.captured = static_cast<uint32_t>(captured);
    h.direction = direction;
    h.role = role_;
    h.syscall = direction == ZT_DIR_INGRESS ? ZT_SYS_READ : ZT_SYS_WRITE;
    h.protocol = protocol_;
    h.endpoints = endpoints_;
    std::memcpy(ev.record.data(), &h, sizeof(h));
    std::memcpy(ev.record.data() + sizeof(h), bytes.data(), captured);
    offsets_[direction & 1] += bytes.size();
    return ev;
  }

  GeneratedEvent In(std::string_view bytes, uint64_t enter_ns, uint64_t exit_ns) {
    return Data(ZT_DIR_INGRESS, bytes, enter_ns, exit_ns);
  }
  GeneratedEvent Out(std::string_view bytes, uint64_t enter_ns, uint64_t exit_ns) {
    return Data(ZT_DIR_EGRESS, bytes, enter_ns, exit_ns);
  }

  zt_close_event Close(uint64_t ts_ns) const {
    zt_close_event ev{};
    ev.type = ZT_EVENT_CLOSE;
    ev.tid = tgid_;
    ev.conn = {tgid_, fd_, generation_};
    ev.timestamp_ns = ts_ns;
    ev.bytes_sent = offsets_[ZT_DIR_EGRESS];
    ev.bytes_received = offsets_[ZT_DIR_INGRESS];
    return ev;
  }

 private:
  uint8_t role_;
  uint8_t protocol_;  // enum zt_protocol: which parser the agent picks
  uint32_t tgid_;
  int32_t fd_;
  uint64_t generation_;
  zt_endpoints endpoints_{};
  uint64_t offsets_[2] = {0, 0};
};

inline std::string Get(std::string_view path) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: svc:8080\r\nUser-Agent: test\r\n\r\n";
}

inline std::string Ok(std::string_view body = "hello", int status = 200) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace zerotrace::testing
