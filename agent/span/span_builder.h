// Turns one exchange (any protocol) into an OpenTelemetry span: kind from
// the connection's role, ids from the request's own traceparent if it
// carried one, timing, resource; then the protocol's details add name,
// status and attributes (ExchangeDetails).
#pragma once

#include <cstdint>
#include <memory>

#include "agent/connection/exchange.h"
#include "agent/model/span.h"

namespace zerotrace {

using SpanBuilderOptions = SpanMappingOptions;

// Not internally synchronized for set_monotonic_to_unix_offset_ns; Build is
// const and safe to call from several threads otherwise.
class SpanBuilder {
 public:
  // `monotonic_to_unix_offset_ns`: CLOCK_REALTIME - CLOCK_MONOTONIC, see
  // MeasureMonotonicToUnixOffsetNs().
  explicit SpanBuilder(int64_t monotonic_to_unix_offset_ns, SpanBuilderOptions options = {});

  // The wall clock can be stepped (NTP); the agent refreshes the offset.
  void set_monotonic_to_unix_offset_ns(int64_t offset_ns) { offset_ns_ = offset_ns; }
  int64_t monotonic_to_unix_offset_ns() const { return offset_ns_; }

  Span Build(const Exchange& exchange, std::shared_ptr<const Resource> resource) const;

  // Same, overwriting every field of `span`: a recycled Span keeps its
  // strings' and attribute vector's capacity, so steady state allocates little.
  void BuildInto(const Exchange& exchange, std::shared_ptr<const Resource> resource, Span& span) const;

 private:
  int64_t offset_ns_;
  SpanBuilderOptions options_;
};

}  // namespace zerotrace
