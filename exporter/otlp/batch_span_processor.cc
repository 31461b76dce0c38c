#include "exporter/otlp/batch_span_processor.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace zerotrace::otlp {

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanBatchExporter> exporter,
                                       BatchOptions options, std::shared_ptr<ExporterStats> stats)
    : options_(Normalized(options)),
      stats_(stats ? std::move(stats) : std::make_shared<ExporterStats>()),
      exporter_(std::move(exporter)),
      pool_(2 * options_.max_export_batch_size) {
  batch_.reserve(options_.max_export_batch_size);
  thread_ = std::thread([this] { Run(); });
}

BatchSpanProcessor::~BatchSpanProcessor() { Shutdown(); }

void BatchSpanProcessor::Consume(Span span) {
  bool warn = false;
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= options_.max_queue_size) {
      stats_->dropped.fetch_add(1, std::memory_order_relaxed);
      warn = !stopping_ && drop_warnings_.ShouldWarn(&suppressed);
    } else {
      queue_.push_back(std::move(span));
      // Wake the exporter only when a batch becomes ready; the timer covers
      // the rest, and notifying per span would cost a syscall per span.
      if (queue_.size() == options_.max_export_batch_size) wake_.notify_one();
    }
  }
  if (warn) {
    spdlog::warn("span export queue full ({} spans): dropping spans ({} more dropped since the "
                 "last warning); the OTLP endpoint is slow or down, or raise "
                 "OTEL_BSP_MAX_QUEUE_SIZE",
                 options_.max_queue_size, suppressed);
  }
}

size_t BatchSpanProcessor::queue_depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void BatchSpanProcessor::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      shutdown_deadline_ = Clock::now() + options_.export_timeout;
    }
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void BatchSpanProcessor::TakeBatch() {
  const size_t n = std::min(queue_.size(), options_.max_export_batch_size);
  batch_.clear();
  std::move(queue_.begin(), queue_.begin() + n, std::back_inserter(batch_));
  queue_.erase(queue_.begin(), queue_.begin() + n);
}

void BatchSpanProcessor::ExportBatch(std::chrono::milliseconds timeout) {
  if (batch_.empty()) return;
  const ExportResult result = exporter_->Export(batch_, timeout);
  const size_t failed = std::min(result.failed_spans, batch_.size());
  const size_t rejected = std::min(result.rejected_spans, batch_.size() - failed);
  stats_->exported.fetch_add(batch_.size() - failed - rejected, std::memory_order_relaxed);
  stats_->failed.fetch_add(failed, std::memory_order_relaxed);
  stats_->rejected.fetch_add(rejected, std::memory_order_relaxed);
  stats_->retries.fetch_add(result.retries, std::memory_order_relaxed);
  pool_.Return(batch_);
}

void BatchSpanProcessor::Run() {
  std::unique_lock lock(mu_);
  Clock::time_point next_export = Clock::now() + options_.schedule_delay;
  while (!stopping_) {
    wake_.wait_until(lock, next_export, [this] {
      return stopping_ || queue_.size() >= options_.max_export_batch_size;
    });
    if (stopping_) break;
    if (queue_.size() < options_.max_export_batch_size && Clock::now() < next_export)
      continue;  // spurious wake-up
    TakeBatch();
    lock.unlock();
    ExportBatch(options_.export_timeout);
    lock.lock();
    next_export = Clock::now() + options_.schedule_delay;
  }

  // Shutdown: drain the queue until the deadline Shutdown() set.
  while (!queue_.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        shutdown_deadline_ - Clock::now());
    if (left.count() <= 0) {
      stats_->dropped.fetch_add(queue_.size(), std::memory_order_relaxed);
      spdlog::warn("span export timed out at shutdown: {} spans not sent", queue_.size());
      queue_.clear();
      break;
    }
    TakeBatch();
    lock.unlock();
    ExportBatch(std::min(left, options_.export_timeout));
    lock.lock();
  }
}

}  // namespace zerotrace::otlp
