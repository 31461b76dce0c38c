// Plays a recording back into handlers in file order, with time taken from
// the recording: ticks fire as the recorded receive times cross tick
// boundaries, so reorder windows and idle timeouts expire as they did live
// (not as fast as the replay runs). Knows nothing of the pipeline; the
// agent's --replay and the replay benchmark wire the handlers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "agent/events/recording_reader.h"
#include "agent/model/span.h"

namespace zerotrace {

struct ReplayHandlers {
  std::function<void(std::span<const uint8_t> record)> on_event;
  std::function<void(uint64_t now_monotonic_ns, uint64_t now_unix_ns)> on_tick;
  std::function<void(std::shared_ptr<const Resource> resource)> on_process_resource;
  std::function<void(int64_t monotonic_to_unix_offset_ns)> on_clock_offset;
};

struct ReplaySummary {
  uint64_t events = 0;
  uint64_t process_resources = 0;
  uint64_t malformed_entries = 0;  // e.g. a resource that does not decode: skipped
  uint64_t ticks = 0;
  uint64_t first_ns = 0;  // receive time of the first entry
  uint64_t last_ns = 0;   // of the last entry, or the end marker
  bool ended_cleanly = false;
  std::string problem;  // the reader's, and the first malformed entry's
};

// Live, the agent ticks about every 100 ms.
inline constexpr uint64_t kReplayTickNs = 100'000'000;

// Replays from where `reader` stands to its end; a final tick at the
// recording's end time (as the live agent ticks once as it stops).
ReplaySummary ReplayRecording(RecordingReader& reader, const ReplayHandlers& handlers,
                              uint64_t tick_ns = kReplayTickNs);

}  // namespace zerotrace
