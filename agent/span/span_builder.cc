#include "agent/span/span_builder.h"

#include <optional>
#include <utility>

#include "agent/model/attribute_writer.h"
#include "agent/model/clock_offset.h"
#include "agent/model/ids.h"
#include "agent/model/traceparent.h"

namespace zerotrace {
namespace {

constexpr size_t kTypicalAttributeCount = 20;

// A monotonic instant, falling back to the chunk's other timestamp when one
// was not recorded (0).
uint64_t Pick(uint64_t preferred, uint64_t fallback) { return preferred != 0 ? preferred : fallback; }

void SetTiming(const Exchange& ex, bool client, int64_t offset_ns, Span& span) {
  const ChunkTiming& first = ex.request_start;
  const ChunkTiming& last = ex.response_end;
  // A server's read of the request may have blocked waiting for the client,
  // so its entry says nothing; the request had arrived when the read
  // returned. A client's span starts when it began to send.
  uint64_t start = client ? Pick(first.enter_ns, first.exit_ns) : Pick(first.exit_ns, first.enter_ns);
  uint64_t end = Pick(last.exit_ns, last.enter_ns);
  if (end < start) end = start;  // out-of-order CPUs' clocks, or a missing stamp
  span.start_unix_ns = MonotonicToUnixNs(start, offset_ns);
  span.end_unix_ns = MonotonicToUnixNs(end, offset_ns);
}

void SetTraceContext(const PropagatedContext& propagated, bool client, Span& span) {
  std::optional<TraceParent> tp;
  if (!propagated.traceparent.empty()) tp = ParseTraceParent(propagated.traceparent);
  if (!tp) {
    // W3C: without a valid traceparent, tracestate is discarded too.
    span.trace_id = NewTraceId();
    span.span_id = NewSpanId();
    span.parent_span_id = {};
    span.trace_state.clear();
    return;
  }
  span.trace_id = tp->trace_id;
  if (client) {
    // The program propagates context itself: the header's parent-id is the
    // id the callee will record as its parent, so it is this span's id.
    span.span_id = tp->parent_id;
    span.parent_span_id = {};
  } else {
    span.span_id = NewSpanId();
    span.parent_span_id = tp->parent_id;
  }
  span.trace_state.assign(NormalizeTraceState(propagated.tracestate));  // reuses capacity
}

}  // namespace

SpanBuilder::SpanBuilder(int64_t monotonic_to_unix_offset_ns, SpanBuilderOptions options)
    : offset_ns_(monotonic_to_unix_offset_ns), options_(options) {}

Span SpanBuilder::Build(const Exchange& exchange, std::shared_ptr<const Resource> resource) const {
  Span span;
  BuildInto(exchange, std::move(resource), span);
  return span;
}

void SpanBuilder::BuildInto(const Exchange& ex, std::shared_ptr<const Resource> resource,
                            Span& span) const {
  const ConnectionRole role = ex.connection.role;
  // An unknown role gets the server rules (the request arrived on a socket
  // we did not see connect), with the kind left unspecified.
  const bool client = role == ConnectionRole::kClient;
  span.kind = client ? SpanKind::kClient
                     : role == ConnectionRole::kServer ? SpanKind::kServer : SpanKind::kUnspecified;
  span.resource = std::move(resource);
  SetTraceContext(ex.propagated, client, span);
  SetTiming(ex, client, offset_ns_, span);

  if (span.attributes.capacity() == 0) span.attributes.reserve(kTypicalAttributeCount);
  AttributeWriter attributes(span.attributes);
  ex.details.DescribeSpan(ex, options_, span, attributes);
  attributes.Finish();
}

}  // namespace zerotrace
