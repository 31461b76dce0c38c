// Keeping process identity in a recording.
//
// Recording: ProcessResourceRecorder writes a traced process's resource into
// the recording the first time the pipeline takes an event of it (and again
// after the process execs or exits, when the pid may name another program),
// always before the event itself, so a replay knows it before any span.
//
// Replaying: each recorded resource goes into the replay's ProcessRegistry
// (ProcessRegistry::Remember), whose /proc is none: /proc/PID on the replaying
// host says nothing (or something wrong) about the recorded process.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_set>

#include "agent/events/recording_writer.h"
#include "agent/model/span.h"

namespace zerotrace {

class ProcessResourceRecorder {
 public:
  using ResourceLookup = std::function<std::shared_ptr<const Resource>(uint32_t tgid)>;

  ProcessResourceRecorder(RecordingWriter& writer, ResourceLookup lookup);

  // Appends `record` (which the pipeline has just handled) to the recording,
  // preceded by its process's resource when that is new. `taken` is false
  // when the pipeline dropped the record's process (--exe, ourselves): such
  // records are not recorded, so a replay sees what the live run traced.
  void Append(std::span<const uint8_t> record, uint64_t receive_ns, bool taken);

 private:
  RecordingWriter& writer_;
  ResourceLookup lookup_;
  std::unordered_set<uint32_t> recorded_;  // pids whose resource is in the file
};


}  // namespace zerotrace
