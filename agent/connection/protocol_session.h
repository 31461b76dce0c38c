// One connection's protocol state, behind which every protocol sits: its
// parsers for both directions and its matcher. The connection tracker puts
// each direction's chunks in stream order and hands them here; the session
// frames messages, pairs requests with responses and reports them to the
// ExchangeHandler it was made with. Made by a SessionFactory the application
// composes from agent/protocols/registry.h, so nothing below the protocols
// names one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "agent/connection/chunk_timing.h"
#include "agent/connection/connection_info.h"
#include "agent/connection/exchange.h"

namespace zerotrace {

// Which way bytes went, as the protocol sees it.
enum class StreamSide : uint8_t { kRequests, kResponses };

// Counters every protocol keeps; summed per protocol by the tracker.
struct ProtocolStats {
  uint64_t messages = 0;            // requests and responses framed
  uint64_t garbage_chunks = 0;      // chunks skipped because they were not the protocol
  uint64_t resyncs = 0;             // times framing was lost and found again
  uint64_t exchanges = 0;           // requests paired with their response
  uint64_t unpaired_requests = 0;   // no response ever came (or lost across a hole)
  uint64_t unpaired_responses = 0;  // response without a request seen
};

inline void Accumulate(ProtocolStats& into, const ProtocolStats& s) {
  into.messages += s.messages;
  into.garbage_chunks += s.garbage_chunks;
  into.resyncs += s.resyncs;
  into.exchanges += s.exchanges;
  into.unpaired_requests += s.unpaired_requests;
  into.unpaired_responses += s.unpaired_responses;
}

class ProtocolSession {
 public:
  virtual ~ProtocolSession() = default;

  // One chunk in stream order: a prefix `captured` of the `total_size` bytes
  // one syscall moved. Bytes past the captured prefix were not seen.
  virtual void OnChunk(StreamSide side, std::span<const uint8_t> captured, uint64_t total_size,
                       const ChunkTiming& timing) = 0;
  // `lost_bytes` of this side went by unseen (events lost in the kernel).
  virtual void OnGap(StreamSide side, uint64_t lost_bytes) = 0;
  // The connection closed: a message framed by the close ends here. Then
  // what is left unpaired is counted (ProtocolStats); the session is dropped.
  virtual void OnClose(const ChunkTiming& timing) = 0;
  // The connection ends without a close (idle too long, its process exited,
  // evicted from a full table): finish what framing allows, count what is
  // left unpaired; the session is dropped.
  virtual void FinishPending() = 0;

  // Messages in flight (held for pairing), for memory accounting.
  virtual size_t pending() const = 0;
  virtual const ProtocolStats& stats() const = 0;
};

// Makes the session for a connection the kernel classified as `protocol`
// (enum zt_protocol), or nullptr when no parser is registered for it.
// `connection` and `handler` outlive the session.
using SessionFactory = std::function<std::unique_ptr<ProtocolSession>(
    uint8_t protocol, const ConnectionInfo& connection, ExchangeHandler& handler)>;

}  // namespace zerotrace
