// The protocol-neutral unit the layers above the protocols work on: a request
// paired with its response on one connection. The linker, the span builder
// and the pipeline see only this; what is particular to a protocol (its span
// name, status and semantic-convention attributes) stays behind
// ExchangeDetails, implemented in agent/protocols/<name>/.
#pragma once

#include <string_view>

#include "agent/connection/chunk_timing.h"
#include "agent/connection/connection_info.h"
#include "agent/model/attribute_writer.h"
#include "agent/model/span.h"

namespace zerotrace {

// Trace context a request carried in its own bytes (W3C headers in HTTP).
// Empty for protocols that carry none.
struct PropagatedContext {
  std::string_view traceparent;
  std::string_view tracestate;
};

// What the span mapping may reveal: the user's choices about secrets.
struct SpanMappingOptions {
  // false: url.query and url.full keep query values. Only for environments
  // where queries are known to be free of secrets.
  bool redact_query_values = true;
};

struct Exchange;

// A protocol's view of one exchange, for its span: name, status and the
// protocol's attributes. The builder has already set kind, ids, timing and
// resource; `attributes` writes into span.attributes.
class ExchangeDetails {
 public:
  virtual void DescribeSpan(const Exchange& exchange, const SpanMappingOptions& options, Span& span,
                            AttributeWriter& attributes) const = 0;

 protected:
  ~ExchangeDetails() = default;
};

// Valid only during the callback that hands it over: the protocol owns the
// messages it points into.
struct Exchange {
  const ConnectionInfo& connection;
  const ChunkTiming& request_start;  // the chunk holding the request's first byte
  const ChunkTiming& response_end;   // the chunk holding the response's last byte
  PropagatedContext propagated;
  // zerotrace's own traffic (OTLP exports arriving at a traced receiver):
  // never a span, or spans about spans would loop.
  bool self_traffic = false;
  const ExchangeDetails& details;
};

// A request as soon as it is parsed, before its response: the linker decides
// a server request's trace ahead of its children.
struct RequestStart {
  const ConnectionInfo& connection;
  const ChunkTiming& first_chunk;
  PropagatedContext propagated;
};

class ExchangeHandler {
 public:
  virtual void OnRequest(const RequestStart& request) = 0;
  virtual void OnExchange(const Exchange& exchange) = 0;

 protected:
  ~ExchangeHandler() = default;
};

}  // namespace zerotrace
