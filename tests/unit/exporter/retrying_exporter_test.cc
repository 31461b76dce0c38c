// The retry policy on a scripted transport: what is retried, how long it
// waits, when it gives up, and that a batch is encoded once however often
// it is sent.
#include "exporter/otlp/retrying_exporter.h"

#include <gtest/gtest.h>

#include <deque>

#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class ScriptedTransport final : public OtlpTransport {
 public:
  explicit ScriptedTransport(std::deque<SendOutcome> script) : script_(std::move(script)) {}

  void Prepare(std::span<const Span> batch) override {
    ++prepares;
    prepared_spans = batch.size();
  }
  SendOutcome Send(std::chrono::milliseconds timeout) override {
    sends.push_back(Clock::now());
    timeouts.push_back(timeout);
    if (script_.empty()) return SendOutcome::Delivered();
    SendOutcome next = script_.front();
    script_.pop_front();
    return next;
  }
  std::string Describe() const override { return "scripted"; }

  int prepares = 0;
  size_t prepared_spans = 0;
  std::vector<Clock::time_point> sends;
  std::vector<std::chrono::milliseconds> timeouts;

 private:
  std::deque<SendOutcome> script_;
};

constexpr BackoffOptions kFastBackoff{10ms, 40ms, 2.0};

std::vector<Span> Spans(int n) {
  std::vector<Span> spans;
  for (int i = 0; i < n; ++i) spans.push_back(testing::MakeHttpSpan(1, i + 1, nullptr));
  return spans;
}

struct Harness {
  explicit Harness(std::deque<SendOutcome> script, std::chrono::milliseconds request_timeout = 1s) {
    auto owned = std::make_unique<ScriptedTransport>(std::move(script));
    transport = owned.get();
    exporter = std::make_unique<RetryingExporter>(std::move(owned), request_timeout, kFastBackoff);
  }
  ScriptedTransport* transport;
  std::unique_ptr<RetryingExporter> exporter;
};

TEST(RetryingExporter, DeliveredAtOnceMeansOneSendAndNoRetries) {
  Harness h({SendOutcome::Delivered()});
  const ExportResult result = h.exporter->Export(Spans(4), 5s);
  EXPECT_EQ(result.failed_spans, 0u);
  EXPECT_EQ(result.retries, 0u);
  EXPECT_EQ(h.transport->sends.size(), 1u);
  EXPECT_EQ(h.transport->prepared_spans, 4u);
}

TEST(RetryingExporter, TransientFailuresAreRetriedAndTheBatchEncodedOnce) {
  Harness h({SendOutcome::Retryable("HTTP 503"), SendOutcome::Retryable("refused"),
             SendOutcome::Delivered()});
  const ExportResult result = h.exporter->Export(Spans(3), 5s);
  EXPECT_EQ(result.failed_spans, 0u);
  EXPECT_EQ(result.retries, 2u);
  EXPECT_EQ(h.transport->sends.size(), 3u);
  EXPECT_EQ(h.transport->prepares, 1);
}

TEST(RetryingExporter, WaitsAtLeastTheHalfStepOfTheBackoff) {
  Harness h({SendOutcome::Retryable("a"), SendOutcome::Retryable("b"), SendOutcome::Delivered()});
  h.exporter->Export(Spans(1), 5s);
  const auto& s = h.transport->sends;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_GE(s[1] - s[0], 5ms);   // first step 10 ms, drawn from [5, 10]
  EXPECT_GE(s[2] - s[1], 10ms);  // second step 20 ms, drawn from [10, 20]
}

TEST(RetryingExporter, HonoursTheReceiversRetryAfter) {
  Harness h({SendOutcome::Retryable("HTTP 429", 300ms), SendOutcome::Delivered()});
  EXPECT_EQ(h.exporter->Export(Spans(2), 5s).failed_spans, 0u);
  const auto& s = h.transport->sends;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_GE(s[1] - s[0], 300ms);
}

TEST(RetryingExporter, FinalErrorsAreNeverRetried) {
  Harness h({SendOutcome::Permanent("HTTP 400"), SendOutcome::Delivered()});
  const ExportResult result = h.exporter->Export(Spans(5), 5s);
  EXPECT_EQ(result.failed_spans, 5u);
  EXPECT_EQ(result.retries, 0u);
  EXPECT_EQ(h.transport->sends.size(), 1u);
}

TEST(RetryingExporter, GivesUpWhenTheNextWaitWouldPassTheExportTimeout) {
  Harness h({SendOutcome::Retryable("HTTP 503", 10s)});
  const auto start = Clock::now();
  const ExportResult result = h.exporter->Export(Spans(2), 1s);
  EXPECT_LT(Clock::now() - start, 900ms);  // did not sleep 10 s, nor until the deadline
  EXPECT_EQ(result.failed_spans, 2u);
  EXPECT_EQ(h.transport->sends.size(), 1u);
}

TEST(RetryingExporter, KeepsRetryingUntilTheExportTimeout) {
  std::deque<SendOutcome> always_down(1000, SendOutcome::Retryable("refused"));
  Harness h(always_down);
  const auto start = Clock::now();
  const ExportResult result = h.exporter->Export(Spans(2), 300ms);
  const auto took = Clock::now() - start;
  EXPECT_EQ(result.failed_spans, 2u);
  EXPECT_GT(h.transport->sends.size(), 3u);  // 10, 20, 40, 40, ... ms apart
  EXPECT_LT(took, 1s);
  EXPECT_EQ(result.retries, h.transport->sends.size() - 1);
}

TEST(RetryingExporter, NoAttemptOutlivesTheRequestTimeoutOrTheDeadline) {
  Harness h({SendOutcome::Retryable("x"), SendOutcome::Delivered()}, 200ms);
  h.exporter->Export(Spans(1), 5s);
  for (auto timeout : h.transport->timeouts) EXPECT_LE(timeout, 200ms);
  Harness late({SendOutcome::Delivered()}, 10s);
  late.exporter->Export(Spans(1), 100ms);
  EXPECT_LE(late.transport->timeouts.at(0), 100ms);
}

TEST(RetryingExporter, PartialSuccessIsReportedAsRejectedNotFailed) {
  SendOutcome partial = SendOutcome::Delivered();
  partial.rejected_spans = 2;
  partial.rejection_message = "too big";
  Harness h({partial});
  const ExportResult result = h.exporter->Export(Spans(5), 5s);
  EXPECT_EQ(result.failed_spans, 0u);
  EXPECT_EQ(result.rejected_spans, 2u);
}

TEST(RetryingExporter, RejectedCountIsCappedAtTheBatchSize) {
  SendOutcome partial = SendOutcome::Delivered();
  partial.rejected_spans = 99;
  Harness h({partial});
  EXPECT_EQ(h.exporter->Export(Spans(3), 5s).rejected_spans, 3u);
}

}  // namespace
}  // namespace zerotrace::otlp
