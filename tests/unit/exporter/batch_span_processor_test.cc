#include "exporter/otlp/batch_span_processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/unit/exporter/test_spans.h"

namespace zerotrace::otlp {
namespace {

using namespace std::chrono_literals;
using zerotrace::testing::MakeHttpSpan;

// Generous bound for "this happens soon": only a hung test waits this long.
constexpr auto kPatience = 10s;

// What the fake exporter saw, shared with the test (the processor owns the exporter).
struct ExporterLog {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<size_t> batch_sizes;
  std::vector<std::chrono::milliseconds> timeouts;
  size_t spans = 0;
  bool block = false;    // Export() waits until the test clears it
  bool blocked = false;  // an Export() is waiting
  bool fail = false;
  size_t reject = 0;  // spans of each batch the "receiver" rejects

  bool WaitFor(auto predicate) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, kPatience, [&] { return predicate(); });
  }
  void Release() {
    std::lock_guard lock(mu);
    block = false;
    changed.notify_all();
  }
};

class FakeExporter final : public SpanBatchExporter {
 public:
  explicit FakeExporter(std::shared_ptr<ExporterLog> log) : log_(std::move(log)) {}
  ExportResult Export(std::span<const Span> batch, std::chrono::milliseconds timeout) override {
    std::unique_lock lock(log_->mu);
    log_->blocked = true;
    log_->changed.notify_all();
    log_->changed.wait(lock, [&] { return !log_->block; });
    log_->blocked = false;
    log_->batch_sizes.push_back(batch.size());
    log_->timeouts.push_back(timeout);
    log_->spans += batch.size();
    log_->changed.notify_all();
    return {log_->fail ? batch.size() : 0, std::min(log_->reject, batch.size()), 1};
  }

 private:
  std::shared_ptr<ExporterLog> log_;
};

BatchOptions Options(size_t queue, size_t batch, std::chrono::milliseconds delay,
                     std::chrono::milliseconds timeout = 5000ms) {
  BatchOptions options;
  options.max_queue_size = queue;
  options.max_export_batch_size = batch;
  options.schedule_delay = delay;
  options.export_timeout = timeout;
  return options;
}

Span AnySpan(uint8_t seed) { return MakeHttpSpan(1, seed, nullptr); }

TEST(BatchSpanProcessor, FullBatchIsExportedWithoutWaitingForTheScheduleDelay) {
  auto log = std::make_shared<ExporterLog>();
  BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(100, 4, 1h));
  for (uint8_t i = 0; i < 4; ++i) processor.Consume(AnySpan(i));
  ASSERT_TRUE(log->WaitFor([&] { return log->batch_sizes.size() == 1; }));
  processor.Shutdown();  // nothing left to flush
  EXPECT_EQ(log->batch_sizes, std::vector<size_t>{4});
  EXPECT_EQ(processor.stats().exported.load(), 4u);
}

TEST(BatchSpanProcessor, PartialBatchIsExportedAfterTheScheduleDelay) {
  auto log = std::make_shared<ExporterLog>();
  BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(100, 512, 50ms));
  for (uint8_t i = 0; i < 3; ++i) processor.Consume(AnySpan(i));
  ASSERT_TRUE(log->WaitFor([&] { return log->spans == 3; }));
  EXPECT_EQ(log->batch_sizes, std::vector<size_t>{3});
}

TEST(BatchSpanProcessor, FullQueueDropsNewSpansAndCountsThem) {
  auto log = std::make_shared<ExporterLog>();
  log->block = true;
  BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(4, 2, 1h));
  // The first batch leaves the queue and holds the exporter...
  processor.Consume(AnySpan(0));
  processor.Consume(AnySpan(1));
  ASSERT_TRUE(log->WaitFor([&] { return log->blocked; }));
  // ...so the queue takes exactly 4 more and drops the rest.
  for (uint8_t i = 2; i < 9; ++i) processor.Consume(AnySpan(i));
  EXPECT_EQ(processor.stats().dropped.load(), 3u);

  log->Release();
  processor.Shutdown();
  EXPECT_EQ(processor.stats().exported.load(), 6u);
  EXPECT_EQ(processor.stats().dropped.load(), 3u);
  EXPECT_EQ(processor.stats().failed.load(), 0u);
}

TEST(BatchSpanProcessor, ShutdownFlushesEverythingInBatches) {
  auto log = std::make_shared<ExporterLog>();
  BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(100, 4, 1h));
  for (uint8_t i = 0; i < 10; ++i) processor.Consume(AnySpan(i));
  processor.Shutdown();
  EXPECT_EQ(log->batch_sizes, (std::vector<size_t>{4, 4, 2}));
  EXPECT_EQ(processor.stats().exported.load(), 10u);
  for (auto timeout : log->timeouts) EXPECT_LE(timeout, 5000ms);
}

TEST(BatchSpanProcessor, FailedExportsAreCountedAsFailed) {
  auto log = std::make_shared<ExporterLog>();
  log->fail = true;
  BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(100, 4, 1h));
  for (uint8_t i = 0; i < 6; ++i) processor.Consume(AnySpan(i));
  processor.Shutdown();
  EXPECT_EQ(processor.stats().failed.load(), 6u);
  EXPECT_EQ(processor.stats().exported.load(), 0u);
}

TEST(BatchSpanProcessor, RejectedSpansAndRetriesAreCountedApartFromExported) {
  auto log = std::make_shared<ExporterLog>();
  log->reject = 1;
  BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(100, 4, 1h));
  for (uint8_t i = 0; i < 8; ++i) processor.Consume(AnySpan(i));
  processor.Shutdown();
  const ExporterCounts counts = processor.stats().Snapshot();
  EXPECT_EQ(counts.rejected, 2u);  // one per batch of 4
  EXPECT_EQ(counts.exported, 6u);
  EXPECT_EQ(counts.failed, 0u);
  EXPECT_EQ(counts.retries, 2u);
}

TEST(BatchSpanProcessor, SpansConsumedAfterShutdownAreDropped) {
  auto log = std::make_shared<ExporterLog>();
  BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(100, 4, 1h));
  processor.Shutdown();
  processor.Consume(AnySpan(0));
  EXPECT_EQ(processor.stats().dropped.load(), 1u);
  processor.Shutdown();  // idempotent
}

// An exporter that always takes its whole timeout and fails, like an
// endpoint that accepts connections and never answers.
class HangingExporter final : public SpanBatchExporter {
 public:
  ExportResult Export(std::span<const Span> batch, std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(timeout);
    return {batch.size()};
  }
};

TEST(BatchSpanProcessor, ShutdownGivesUpAtTheExportTimeout) {
  BatchSpanProcessor processor(std::make_unique<HangingExporter>(), Options(100, 2, 1h, 200ms));
  for (uint8_t i = 0; i < 3; ++i) processor.Consume(AnySpan(i));  // one batch in flight, one queued
  processor.Consume(AnySpan(3));
  const auto start = std::chrono::steady_clock::now();
  processor.Shutdown();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Not a timing assertion: only proves Shutdown is bounded by the timeout
  // rather than by the number of queued batches times the timeout.
  EXPECT_LT(elapsed, 2s);
  const ExporterCounts counts = processor.stats().Snapshot();
  EXPECT_EQ(counts.exported, 0u);
  EXPECT_EQ(counts.failed + counts.dropped, 4u);
}

TEST(BatchSpanProcessor, SharedStatsAreReadableByTheCaller) {
  auto stats = std::make_shared<ExporterStats>();
  auto log = std::make_shared<ExporterLog>();
  {
    BatchSpanProcessor processor(std::make_unique<FakeExporter>(log), Options(100, 4, 1h), stats);
    processor.Consume(AnySpan(0));
  }  // destructor shuts down and flushes
  EXPECT_EQ(stats->Snapshot().exported, 1u);
}

}  // namespace
}  // namespace zerotrace::otlp
