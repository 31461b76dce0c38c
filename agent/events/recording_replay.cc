#include "agent/events/recording_replay.h"

#include <spdlog/fmt/fmt.h>

#include <cstring>

#include "agent/events/resource_codec.h"
#include "agent/model/clock_offset.h"

namespace zerotrace {
namespace {

// Keeps tick time following the recording's receive times.
class TickClock {
 public:
  TickClock(const ReplayHandlers& handlers, uint64_t tick_ns, int64_t offset_ns, ReplaySummary* summary)
      : handlers_(handlers), tick_ns_(tick_ns), offset_ns_(offset_ns), summary_(summary) {}

  void set_offset_ns(int64_t offset_ns) { offset_ns_ = offset_ns; }

  // Ticks due before something received at `now_ns`. A long idle stretch
  // costs two ticks, not one per 100 ms: the first right after the last
  // activity (short reorder windows), the last at the boundary before `now`
  // (whatever aged out in between, e.g. idle connections).
  void AdvanceTo(uint64_t now_ns) {
    if (!started_) {
      started_ = true;
      last_tick_ns_ = now_ns;
      return;
    }
    if (now_ns < last_tick_ns_ + tick_ns_) return;
    Tick(last_tick_ns_ + tick_ns_);
    const uint64_t steps = (now_ns - last_tick_ns_) / tick_ns_;
    if (steps > 0) Tick(last_tick_ns_ + steps * tick_ns_);
  }

  void Tick(uint64_t now_ns) {
    last_tick_ns_ = now_ns;
    ++summary_->ticks;
    if (handlers_.on_tick) handlers_.on_tick(now_ns, MonotonicToUnixNs(now_ns, offset_ns_));
  }

 private:
  const ReplayHandlers& handlers_;
  uint64_t tick_ns_;
  int64_t offset_ns_;
  ReplaySummary* summary_;
  bool started_ = false;
  uint64_t last_tick_ns_ = 0;
};

}  // namespace

ReplaySummary ReplayRecording(RecordingReader& reader, const ReplayHandlers& handlers, uint64_t tick_ns) {
  ReplaySummary summary;
  TickClock clock(handlers, tick_ns, reader.info().monotonic_to_unix_offset_ns, &summary);
  std::string first_malformed;
  RecordingEntry entry;
  while (reader.Next(&entry)) {
    if (summary.first_ns == 0) summary.first_ns = entry.receive_monotonic_ns;
    summary.last_ns = entry.receive_monotonic_ns;
    clock.AdvanceTo(entry.receive_monotonic_ns);
    switch (entry.kind) {
      case RecordingEntryKind::kEvent:
        ++summary.events;
        if (handlers.on_event) handlers.on_event(entry.payload);
        break;
      case RecordingEntryKind::kProcessResource: {
        std::string error;
        auto resource = DecodeResource(entry.payload, &error);
        if (!resource) {
          ++summary.malformed_entries;
          if (first_malformed.empty()) first_malformed = error;
          break;
        }
        ++summary.process_resources;
        if (handlers.on_process_resource)
          handlers.on_process_resource(std::make_shared<const Resource>(std::move(*resource)));
        break;
      }
      case RecordingEntryKind::kClockOffset: {
        int64_t offset = 0;
        if (entry.payload.size() != sizeof(offset)) {
          ++summary.malformed_entries;
          if (first_malformed.empty()) first_malformed = "clock offset entry of the wrong size";
          break;
        }
        std::memcpy(&offset, entry.payload.data(), sizeof(offset));
        clock.set_offset_ns(offset);
        if (handlers.on_clock_offset) handlers.on_clock_offset(offset);
        break;
      }
      case RecordingEntryKind::kEnd:
        break;  // the reader stops there
    }
  }
  summary.ended_cleanly = reader.ended_cleanly();
  if (reader.ended_cleanly() && reader.end_monotonic_ns() > summary.last_ns)
    summary.last_ns = reader.end_monotonic_ns();
  // The live agent ticks once more as it stops.
  if (summary.last_ns != 0) {
    clock.AdvanceTo(summary.last_ns);
    clock.Tick(summary.last_ns);
  }
  summary.problem = reader.problem();
  if (!first_malformed.empty()) {
    if (!summary.problem.empty()) summary.problem += "; ";
    summary.problem += fmt::format("{} malformed entries skipped (first: {})", summary.malformed_entries,
                                   first_malformed);
  }
  return summary;
}

}  // namespace zerotrace
