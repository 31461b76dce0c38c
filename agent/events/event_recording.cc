#include "agent/events/event_recording.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>

#include "bpf/zerotrace_events.h"

namespace zerotrace {
namespace {

// FNV-1a over 32-bit words.
uint32_t Fnv1a(std::initializer_list<uint32_t> words) {
  uint32_t hash = 2166136261u;
  for (uint32_t word : words) {
    for (int i = 0; i < 4; ++i) {
      hash ^= (word >> (8 * i)) & 0xff;
      hash *= 16777619u;
    }
  }
  return hash;
}

}  // namespace

uint32_t EventLayoutFingerprint() {
  using D = zt_data_event_header;
  using C = zt_close_event;
  using P = zt_process_event;
  // Sizes alone miss two fields swapping places; the offsets catch that, and
  // the enum values catch a renumbered event type or direction.
  return Fnv1a({
      sizeof(D), offsetof(D, type), offsetof(D, tid), offsetof(D, conn), offsetof(D, enter_ns),
      offsetof(D, exit_ns), offsetof(D, stream_offset), offsetof(D, msg_size),
      offsetof(D, captured), offsetof(D, direction), offsetof(D, role), offsetof(D, syscall),
      offsetof(D, protocol), offsetof(D, endpoints), offsetof(D, trace), sizeof(zt_conn_id),
      sizeof(zt_endpoints), sizeof(zt_trace_context), offsetof(zt_trace_context, link),
      sizeof(C), offsetof(C, conn), offsetof(C, timestamp_ns), offsetof(C, bytes_sent),
      offsetof(C, bytes_received), sizeof(P), offsetof(P, tgid), offsetof(P, timestamp_ns),
      ZT_MAX_CAPTURE, ZT_EVENT_DATA, ZT_EVENT_CLOSE, ZT_EVENT_EXEC, ZT_EVENT_EXIT,
      ZT_DIR_EGRESS, ZT_DIR_INGRESS, ZT_ROLE_SERVER, ZT_ROLE_CLIENT, ZT_LINK_PEER,
  });
}

RecordingFileHeader MakeRecordingFileHeader(const RecordingInfo& info) {
  RecordingFileHeader h{};
  std::memcpy(h.magic, kRecordingMagic, sizeof(h.magic));
  h.format_version = kRecordingFormatVersion;
  h.byte_order = kRecordingByteOrderMark;
  h.host_name_bytes = static_cast<uint16_t>(std::min<size_t>(info.host_name.size(), 255));
  h.agent_version_bytes = static_cast<uint16_t>(std::min<size_t>(info.agent_version.size(), 255));
  h.header_bytes = static_cast<uint32_t>(
      PaddedTo8(sizeof(RecordingFileHeader) + h.host_name_bytes + h.agent_version_bytes));
  h.data_event_header_size = sizeof(zt_data_event_header);
  h.close_event_size = sizeof(zt_close_event);
  h.process_event_size = sizeof(zt_process_event);
  h.max_capture = ZT_MAX_CAPTURE;
  h.layout_fingerprint = EventLayoutFingerprint();
  h.monotonic_to_unix_offset_ns = info.monotonic_to_unix_offset_ns;
  h.start_monotonic_ns = info.start_monotonic_ns;
  h.recorder_pid = info.recorder_pid;
  return h;
}

std::string RecordingHeaderProblem(const RecordingFileHeader& h, uint64_t file_bytes) {
  if (std::memcmp(h.magic, kRecordingMagic, sizeof(h.magic)) != 0)
    return "not a zerotrace recording (no ZTREC magic at its start)";
  if (h.byte_order != kRecordingByteOrderMark)
    return "recorded on a host of the other byte order; replay it on a host like the one that "
           "recorded it";
  if (h.format_version != kRecordingFormatVersion)
    return fmt::format("recording format version {}, this zerotrace reads version {}; replay it "
                       "with the zerotrace version that recorded it",
                       h.format_version, kRecordingFormatVersion);
  if (h.header_bytes % 8 != 0 ||
      h.header_bytes < sizeof(RecordingFileHeader) + h.host_name_bytes + h.agent_version_bytes)
    return "corrupt recording header (inconsistent header length)";
  if (h.header_bytes > file_bytes)
    return fmt::format("truncated recording: {} bytes, shorter than its own {}-byte header",
                       file_bytes, h.header_bytes);
  if (h.data_event_header_size != sizeof(zt_data_event_header) ||
      h.close_event_size != sizeof(zt_close_event) ||
      h.process_event_size != sizeof(zt_process_event) || h.max_capture != ZT_MAX_CAPTURE ||
      h.layout_fingerprint != EventLayoutFingerprint())
    return fmt::format(
        "recorded with another kernel event layout (data header {} bytes, close {}, process {}, "
        "capture {}, fingerprint {:08x}; this zerotrace: {}, {}, {}, {}, {:08x}); replay it with "
        "the zerotrace version that recorded it",
        h.data_event_header_size, h.close_event_size, h.process_event_size, h.max_capture,
        h.layout_fingerprint, sizeof(zt_data_event_header), sizeof(zt_close_event),
        sizeof(zt_process_event), ZT_MAX_CAPTURE, EventLayoutFingerprint());
  return {};
}

}  // namespace zerotrace
