// Decouples the pipeline thread from the network, as OpenTelemetry's batch
// span processor does: Consume() only appends to a bounded queue; an
// exporter thread sends batches of max_export_batch_size as soon as one is
// full, or whatever is queued every schedule_delay.
//
// When the back-end cannot keep up the queue fills and new spans are
// dropped (counted in stats), never buffered without bound.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/model/span_pool.h"
#include "exporter/exporter_stats.h"
#include "exporter/otlp/batch_options.h"
#include "exporter/otlp/span_batch_exporter.h"
#include "agent/model/span_sink.h"
#include "exporter/warning_throttle.h"

namespace zerotrace::otlp {

class BatchSpanProcessor final : public SpanSink {
 public:
  // `stats` may be shared with whoever reports the counters; a private one
  // is made if it is null.
  BatchSpanProcessor(std::unique_ptr<SpanBatchExporter> exporter, BatchOptions options,
                     std::shared_ptr<ExporterStats> stats = nullptr);
  ~BatchSpanProcessor() override;  // Shutdown()

  BatchSpanProcessor(const BatchSpanProcessor&) = delete;
  BatchSpanProcessor& operator=(const BatchSpanProcessor&) = delete;

  void Consume(Span span) override;
  // Exports everything queued, in batches, within options.export_timeout
  // overall; what is left after that is counted as dropped. Idempotent.
  void Shutdown() override;
  // Exported batches come back here (up to two batches' worth).
  SpanPool* span_pool() override { return &pool_; }

  const ExporterStats& stats() const { return *stats_; }
  // Spans waiting to be exported (not counting a batch being sent now), for
  // the agent's metrics. Takes the queue lock briefly.
  size_t queue_depth() const;

 private:
  using Clock = std::chrono::steady_clock;

  void Run();
  // Moves up to one batch from the queue into batch_. Needs mu_ held.
  void TakeBatch();
  void ExportBatch(std::chrono::milliseconds timeout);

  const BatchOptions options_;
  const std::shared_ptr<ExporterStats> stats_;
  const std::unique_ptr<SpanBatchExporter> exporter_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Span> queue_;                 // guarded by mu_
  bool stopping_ = false;                  // guarded by mu_
  Clock::time_point shutdown_deadline_{};  // guarded by mu_, set with stopping_
  WarningThrottle drop_warnings_;          // guarded by mu_

  SpanPool pool_;
  std::vector<Span> batch_;  // exporter thread only
  std::thread thread_;       // last: starts once everything above exists
};

}  // namespace zerotrace::otlp
