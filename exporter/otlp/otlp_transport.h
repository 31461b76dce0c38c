// One way of putting an encoded batch on the wire: OTLP/HTTP (protobuf or
// JSON body) or OTLP/gRPC. The retrying exporter drives it: Prepare() once
// per batch, then Send() once per attempt, so retries do not re-encode.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "agent/model/span.h"

namespace zerotrace::otlp {

struct SendOutcome {
  enum class Kind {
    kDelivered,  // the receiver took the request (maybe rejecting some spans)
    kRetryable,  // transient: HTTP 429/502/503/504, gRPC UNAVAILABLE/RESOURCE_EXHAUSTED,
                 // no connection, timeout
    kPermanent,  // retrying cannot help: HTTP 400 and other 4xx/5xx, other gRPC codes
  };
  Kind kind = Kind::kDelivered;

  // kDelivered: the receiver's partial success (spans it dropped, and why).
  uint64_t rejected_spans = 0;
  std::string rejection_message;

  // kRetryable: how long the receiver asked us to wait (HTTP Retry-After,
  // gRPC RetryInfo), if it did.
  std::optional<std::chrono::milliseconds> retry_after;

  // Not delivered: one line for the log, e.g. "HTTP 503: overloaded" or
  // "Failed to connect to localhost port 4318: Connection refused".
  std::string error;

  static SendOutcome Delivered() { return {}; }
  static SendOutcome Retryable(std::string why,
                               std::optional<std::chrono::milliseconds> after = std::nullopt) {
    SendOutcome o;
    o.kind = Kind::kRetryable;
    o.error = std::move(why);
    o.retry_after = after;
    return o;
  }
  static SendOutcome Permanent(std::string why) {
    SendOutcome o;
    o.kind = Kind::kPermanent;
    o.error = std::move(why);
    return o;
  }
};

class OtlpTransport {
 public:
  virtual ~OtlpTransport() = default;
  // Encodes `batch` into this transport's wire form and keeps it for the
  // Send() calls that follow (the spans need not outlive this call).
  virtual void Prepare(std::span<const Span> batch) = 0;
  // One attempt to deliver what Prepare() encoded, within `timeout`.
  virtual SendOutcome Send(std::chrono::milliseconds timeout) = 0;
  // For log lines: "OTLP/gRPC to http://collector:4317".
  virtual std::string Describe() const = 0;
};

}  // namespace zerotrace::otlp
