// Puts each span in its trace: applies the context the kernel decided when
// the request started (bpf/trace_context.h) on top of what the span builder
// read from the request's own traceparent.
//
// - No kernel context (a connection first seen mid-stream, a pipelined
//   request): the builder's choice stands.
// - A server request carrying a valid traceparent joins that trace, and its
//   children (whose kernel context named the kernel's trace) are moved to
//   it too: the kernel cannot parse headers, so the trace id it chose is
//   remapped here, before any child completes.
// - A client request whose program sent its own traceparent keeps the
//   program's ids: the program propagates context itself.
// - Otherwise the span takes the kernel's ids and parent.
//
// Guard: a traceparent that many server requests present (a client that
// reuses one header for everything) would merge unrelated requests into one
// giant trace; past kMaxJoinsPerParent joins, requests start their own trace
// and are counted.
//
// Single-threaded: the pipeline thread owns it.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "agent/connection/exchange.h"
#include "agent/model/span.h"

namespace zerotrace {

struct TraceLinkStats {
  uint64_t root = 0;              // started a trace (nothing to link to)
  uint64_t thread_parent = 0;     // client span: child of the server request its thread handled
  uint64_t peer_parent = 0;       // server span: child of a client span on this host
  uint64_t ambiguous = 0;         // client span left unlinked: its thread handled several
  uint64_t header_joined = 0;     // server span joined the request's traceparent
  uint64_t no_kernel_context = 0; // builder's choice kept
  uint64_t reused_traceparent = 0;  // joins refused by the giant-trace guard
};

class TraceLinker {
 public:
  static constexpr uint32_t kMaxJoinsPerParent = 64;
  static constexpr size_t kMaxRemembered = 65536;

  // A request has been parsed (before its response): a server request with a
  // traceparent decides its subtree's trace id now, ahead of its children.
  void OnRequest(const RequestStart& request);

  // Sets span's trace id, span id and parent from the kernel's context.
  void Apply(const Exchange& exchange, Span& span);

  const TraceLinkStats& stats() const { return stats_; }

 private:
  struct IdHash {
    size_t operator()(const TraceId& id) const;
  };
  struct JoinKeyHash {
    size_t operator()(const SpanId& id) const;
  };

  TraceId Remapped(const TraceId& kernel_trace_id) const;
  // Whether a server request may join the header's trace (the guard).
  bool MayJoin(const SpanId& header_parent_id);
  void Remember(const TraceId& kernel_trace_id, const TraceId& trace_id);

  std::unordered_map<TraceId, TraceId, IdHash> remap_;
  std::deque<TraceId> remap_order_;  // oldest first, to bound remap_
  std::unordered_map<SpanId, uint32_t, JoinKeyHash> joins_;
  std::deque<SpanId> joins_order_;
  TraceLinkStats stats_;
};

}  // namespace zerotrace
