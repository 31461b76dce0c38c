#include "agent/linking/trace_linker.h"

#include <cstring>
#include <optional>

#include "agent/model/traceparent.h"

namespace zerotrace {

namespace {

template <size_t N>
size_t HashBytes(const std::array<uint8_t, N>& id) {
  uint64_t h = 0;  // ids are random: their first bytes are a good hash
  std::memcpy(&h, id.data(), sizeof(h) < N ? sizeof(h) : N);
  return static_cast<size_t>(h);
}

std::optional<TraceParent> HeaderContext(const PropagatedContext& propagated) {
  if (propagated.traceparent.empty()) return std::nullopt;
  return ParseTraceParent(propagated.traceparent);
}

}  // namespace

size_t TraceLinker::IdHash::operator()(const TraceId& id) const { return HashBytes(id); }
size_t TraceLinker::JoinKeyHash::operator()(const SpanId& id) const { return HashBytes(id); }

void TraceLinker::OnRequest(const RequestStart& request) {
  const KernelTraceContext& kernel = request.first_chunk.trace;
  if (request.connection.role != ConnectionRole::kServer || !kernel.valid()) return;
  const std::optional<TraceParent> header = HeaderContext(request.propagated);
  if (!header || !MayJoin(header->parent_id)) return;
  if (header->trace_id != kernel.trace_id) Remember(kernel.trace_id, header->trace_id);
}

void TraceLinker::Apply(const Exchange& exchange, Span& span) {
  const KernelTraceContext& kernel = exchange.request_start.trace;
  if (!kernel.valid()) {
    ++stats_.no_kernel_context;
    return;
  }
  const bool server = exchange.connection.role == ConnectionRole::kServer;
  const std::optional<TraceParent> header = HeaderContext(exchange.propagated);

  if (!server && header) return;  // the program propagates its own context

  span.span_id = kernel.span_id;
  if (server && header) {
    const auto joined = remap_.find(kernel.trace_id);
    const bool refused = header->trace_id != kernel.trace_id &&
                         (joined == remap_.end() || joined->second != header->trace_id);
    if (!refused) {
      ++stats_.header_joined;  // trace and parent from the header, as the builder set them
      return;
    }
    // The guard refused the join when the request was parsed: own trace.
    ++stats_.reused_traceparent;
    span.trace_state.clear();
  }
  span.trace_id = Remapped(kernel.trace_id);
  span.parent_span_id = kernel.parent_span_id;
  switch (kernel.link) {
    case TraceLink::kThread: ++stats_.thread_parent; break;
    case TraceLink::kPeer: ++stats_.peer_parent; break;
    case TraceLink::kAmbiguous: ++stats_.ambiguous; break;
    default: ++stats_.root; break;
  }
}

TraceId TraceLinker::Remapped(const TraceId& kernel_trace_id) const {
  TraceId id = kernel_trace_id;
  // A remapped trace may itself have been remapped (a header joined at two
  // hops); a few steps cover any real chain, and bound a cycle.
  for (int step = 0; step < 4; ++step) {
    const auto it = remap_.find(id);
    if (it == remap_.end() || it->second == id) break;
    id = it->second;
  }
  return id;
}

bool TraceLinker::MayJoin(const SpanId& header_parent_id) {
  auto [it, inserted] = joins_.try_emplace(header_parent_id, 0);
  if (inserted) {
    joins_order_.push_back(header_parent_id);
    if (joins_order_.size() > kMaxRemembered) {
      joins_.erase(joins_order_.front());
      joins_order_.pop_front();
    }
  }
  return ++it->second <= kMaxJoinsPerParent;
}

void TraceLinker::Remember(const TraceId& kernel_trace_id, const TraceId& trace_id) {
  if (remap_.insert_or_assign(kernel_trace_id, trace_id).second) {
    remap_order_.push_back(kernel_trace_id);
    if (remap_order_.size() > kMaxRemembered) {
      remap_.erase(remap_order_.front());
      remap_order_.pop_front();
    }
  }
}

}  // namespace zerotrace
