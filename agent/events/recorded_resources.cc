#include "agent/events/recorded_resources.h"

#include <variant>

#include "agent/events/event_decoder.h"

namespace zerotrace {
namespace {

constexpr size_t kMaxRememberedPids = 65536;  // as the process registry

}  // namespace

ProcessResourceRecorder::ProcessResourceRecorder(RecordingWriter& writer, ResourceLookup lookup)
    : writer_(writer), lookup_(std::move(lookup)) {}

void ProcessResourceRecorder::Append(std::span<const uint8_t> record, uint64_t receive_ns, bool taken) {
  if (!writer_.writing()) return;
  const DecodedEvent event = DecodeEvent(record);
  if (const auto* data = std::get_if<DataEventView>(&event)) {
    if (!taken) return;
    const uint32_t tgid = data->header->conn.tgid;
    if (recorded_.size() >= kMaxRememberedPids) recorded_.clear();  // pids recycle; stay bounded
    if (recorded_.insert(tgid).second) {
      if (auto resource = lookup_(tgid)) writer_.AppendProcessResource(receive_ns, *resource);
    }
  } else if (const auto* process = std::get_if<ProcessEventView>(&event)) {
    // What the pid names may change: record its resource again when next met.
    recorded_.erase(process->event->tgid);
  }
  writer_.AppendEvent(receive_ns, record);
}

}  // namespace zerotrace
