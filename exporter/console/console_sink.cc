#include "exporter/console/console_sink.h"

#include <cstring>

namespace zerotrace::console {

size_t ConsoleSink::TraceIdHash::operator()(const TraceId& id) const {
  // Trace ids are random: any 8 of their bytes hash well.
  uint64_t low;
  std::memcpy(&low, id.data() + 8, sizeof low);
  return static_cast<size_t>(low);
}

ConsoleSink::ConsoleSink(std::ostream& out, ConsoleOptions options,
                         std::shared_ptr<ExporterStats> stats)
    : out_(out),
      options_(options),
      stats_(stats ? std::move(stats) : std::make_shared<ExporterStats>()) {}

void ConsoleSink::Consume(Span span) {
  auto [it, inserted] = pending_.try_emplace(span.trace_id);
  PendingTrace& trace = it->second;
  if (inserted) {
    trace.arrival = next_arrival_++;
    by_arrival_.emplace(trace.arrival, span.trace_id);
  }
  trace.last_activity_ns = now_ns_;
  trace.spans.push_back(std::move(span));
  ++pending_spans_;

  while (pending_spans_ > options_.max_pending_spans && !by_arrival_.empty())
    Print(pending_.find(by_arrival_.begin()->second));
}

void ConsoleSink::Tick(uint64_t now_unix_ns) {
  now_ns_ = now_unix_ns;
  const auto idle_ns = static_cast<uint64_t>(options_.idle_timeout.count());
  for (auto order = by_arrival_.begin(); order != by_arrival_.end();) {
    auto trace = pending_.find(order->second);
    ++order;  // Print() erases the current entry
    // Spans consumed before the first Tick start their idle time now.
    if (trace->second.last_activity_ns == 0) trace->second.last_activity_ns = now_unix_ns;
    if (now_unix_ns >= trace->second.last_activity_ns + idle_ns) Print(trace);
  }
}

void ConsoleSink::Shutdown() {
  while (!by_arrival_.empty()) Print(pending_.find(by_arrival_.begin()->second));
  out_.flush();
}

void ConsoleSink::Print(PendingMap::iterator trace) {
  PendingTrace& pending = trace->second;
  PrintTraceWaterfall(pending.spans, options_.style, out_);
  out_ << '\n' << std::flush;  // a blank line between traces
  stats_->exported.fetch_add(pending.spans.size(), std::memory_order_relaxed);
  pending_spans_ -= pending.spans.size();
  by_arrival_.erase(pending.arrival);
  pending_.erase(trace);
}

}  // namespace zerotrace::console
