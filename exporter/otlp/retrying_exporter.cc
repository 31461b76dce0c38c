#include "exporter/otlp/retrying_exporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace zerotrace::otlp {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds Until(Clock::time_point deadline) {
  return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
}

}  // namespace

RetryingExporter::RetryingExporter(std::unique_ptr<OtlpTransport> transport,
                                   milliseconds request_timeout, BackoffOptions backoff)
    : transport_(std::move(transport)),
      request_timeout_(std::max(request_timeout, milliseconds(1))),
      backoff_(backoff) {}

ExportResult RetryingExporter::Export(std::span<const Span> batch, milliseconds timeout) {
  if (batch.empty()) return {};
  const Clock::time_point deadline = Clock::now() + timeout;
  transport_->Prepare(batch);

  ExportResult result;
  for (unsigned retry = 0;; ++retry) {
    const milliseconds left = Until(deadline);
    const SendOutcome outcome = transport_->Send(std::clamp(left, milliseconds(1), request_timeout_));
    result.retries = retry;

    if (outcome.kind == SendOutcome::Kind::kDelivered) {
      if (failing_) {
        spdlog::info("{} works again", transport_->Describe());
        failing_ = false;
      }
      result.rejected_spans = std::min<size_t>(outcome.rejected_spans, batch.size());
      if (result.rejected_spans > 0 || !outcome.rejection_message.empty())
        WarnRejected(batch.size(), outcome);
      return result;
    }

    failing_ = true;
    if (outcome.kind == SendOutcome::Kind::kPermanent) {
      WarnLost(batch.size(), outcome, retry + 1, false);
      result.failed_spans = batch.size();
      return result;
    }
    const milliseconds wait = outcome.retry_after ? *outcome.retry_after : backoff_.Delay(retry);
    if (wait >= Until(deadline)) {
      WarnLost(batch.size(), outcome, retry + 1, true);
      result.failed_spans = batch.size();
      return result;
    }
    spdlog::debug("{}: {}; retrying in {} ms", transport_->Describe(), outcome.error, wait.count());
    std::this_thread::sleep_for(wait);
  }
}

void RetryingExporter::WarnLost(size_t spans, const SendOutcome& outcome, size_t attempts,
                                bool gave_up_early) {
  uint64_t suppressed = 0;
  if (!warnings_.ShouldWarn(&suppressed)) return;
  const std::string why =
      outcome.kind == SendOutcome::Kind::kPermanent
          ? "not retried, as retrying cannot fix it; check the endpoint URL, headers, TLS "
            "certificate (OTEL_EXPORTER_OTLP_CERTIFICATE) and the receiver's logs"
          : fmt::format("gave up after {} attempt{}{}; is the collector running and reachable?",
                        attempts, attempts == 1 ? "" : "s",
                        gave_up_early ? " within the export timeout" : "");
  spdlog::warn("{} failed: {} ({} spans lost; {}{})", transport_->Describe(), outcome.error, spans,
               why,
               suppressed > 0 ? fmt::format("; {} similar failures since the last warning", suppressed)
                              : "");
}

void RetryingExporter::WarnRejected(size_t spans, const SendOutcome& outcome) {
  uint64_t suppressed = 0;
  if (!warnings_.ShouldWarn(&suppressed)) return;
  spdlog::warn("{}: the receiver rejected {} of {} spans: {:?} ({} similar warnings suppressed)",
               transport_->Describe(), outcome.rejected_spans, spans, outcome.rejection_message,
               suppressed);
}

}  // namespace zerotrace::otlp
