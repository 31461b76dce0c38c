// Spans → OTLP ExportTraceServiceRequest: one ResourceSpans per traced
// process, one ScopeSpans ("zerotrace", agent version) inside it.
#pragma once

#include <span>

#include "agent/model/span.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace zerotrace::otlp {

using ExportTraceServiceRequest = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

inline constexpr char kScopeName[] = "zerotrace";

// Replaces the contents of *request with `spans`. Spans are grouped by their
// Resource object (the agent shares one per process); spans without a
// Resource share one ResourceSpans with an empty Resource. Order of spans
// within a group is kept.
//
// Pass the same request for every batch: Clear() keeps protobuf's allocated
// sub-messages and string capacity, so steady-state encoding allocates
// little.
void EncodeExportRequest(std::span<const Span> spans, ExportTraceServiceRequest* request);

}  // namespace zerotrace::otlp
