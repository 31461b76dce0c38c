// Delivers a batch through an OTLP transport, retrying transient failures
// (collector restarting or overloaded) with exponential back-off and jitter,
// or after exactly the delay the receiver asked for (Retry-After), until the
// batch's export timeout. Final errors (HTTP 400, bad credentials) are not
// retried: a retry storm against a receiver that said no helps nobody.
//
// Failures are reported in at most one warning line per 10 s, so a collector
// that is down never floods the log or stops the agent.
#pragma once

#include <memory>

#include "base/backoff.h"
#include "exporter/otlp/otlp_transport.h"
#include "exporter/otlp/span_batch_exporter.h"
#include "exporter/warning_throttle.h"

namespace zerotrace::otlp {

class RetryingExporter final : public SpanBatchExporter {
 public:
  // `request_timeout`: the most one attempt may take (OTEL_EXPORTER_OTLP_TIMEOUT).
  RetryingExporter(std::unique_ptr<OtlpTransport> transport, std::chrono::milliseconds request_timeout,
                   BackoffOptions backoff = {});

  ExportResult Export(std::span<const Span> batch, std::chrono::milliseconds timeout) override;

 private:
  void WarnLost(size_t spans, const SendOutcome& outcome, size_t attempts, bool gave_up_early);
  void WarnRejected(size_t spans, const SendOutcome& outcome);

  const std::unique_ptr<OtlpTransport> transport_;
  const std::chrono::milliseconds request_timeout_;
  RetryBackoff backoff_;
  WarningThrottle warnings_;
  bool failing_ = false;  // to say once when the endpoint works again
};

}  // namespace zerotrace::otlp
