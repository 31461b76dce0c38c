// The default output when no OTLP endpoint is configured: each trace printed
// as a waterfall once it is complete. "Complete" is a guess: a trace is
// printed when no span has joined it for idle_timeout (by the Tick clock),
// or at Shutdown.
//
// Memory is bounded: when more than max_pending_spans spans wait, the
// oldest traces are printed early (a span that arrives later for such a
// trace starts a new block for the same trace id).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <unordered_map>
#include <vector>

#include "exporter/console/waterfall_printer.h"
#include "exporter/exporter_stats.h"
#include "agent/model/span_sink.h"

namespace zerotrace::console {

struct ConsoleOptions {
  WaterfallStyle style;
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(1);
  size_t max_pending_spans = 10000;
};

class ConsoleSink final : public SpanSink {
 public:
  // `out` must outlive the sink.
  ConsoleSink(std::ostream& out, ConsoleOptions options, std::shared_ptr<ExporterStats> stats = nullptr);

  void Consume(Span span) override;
  void Tick(uint64_t now_unix_ns) override;
  void Shutdown() override;

  const ExporterStats& stats() const { return *stats_; }
  size_t pending_spans() const { return pending_spans_; }

 private:
  struct TraceIdHash {
    size_t operator()(const TraceId& id) const;
  };
  struct PendingTrace {
    std::vector<Span> spans;
    uint64_t last_activity_ns = 0;  // Tick clock when the last span joined; 0 before any Tick
    uint64_t arrival = 0;           // key in by_arrival_
  };
  using PendingMap = std::unordered_map<TraceId, PendingTrace, TraceIdHash>;

  void Print(PendingMap::iterator trace);

  std::ostream& out_;
  const ConsoleOptions options_;
  const std::shared_ptr<ExporterStats> stats_;
  PendingMap pending_;
  std::map<uint64_t, TraceId> by_arrival_;  // oldest first: what to print early
  uint64_t next_arrival_ = 0;
  uint64_t now_ns_ = 0;  // from the last Tick
  size_t pending_spans_ = 0;
};

}  // namespace zerotrace::console
