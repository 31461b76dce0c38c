// The on-disk format of `--record FILE`: the raw ring-buffer records of a live
// run, so `--replay FILE` and the replay benchmark can feed them through the
// same pipeline later, without BPF.
//
//   file   := header entry*                      (everything 8-byte aligned)
//   header := RecordingFileHeader, host name, agent version, zero padding
//   entry  := RecordingEntryHeader, payload, zero padding to 8 bytes
//
// Integers are in the recording host's byte order, like the raw records
// themselves (a replay on a host of the other order is refused). The file
// records the sizes and field offsets of bpf/zerotrace_events.h, so a file
// from an agent with another event layout is refused with one line rather
// than decoded into nonsense.
#pragma once

#include <cstdint>
#include <string>

namespace zerotrace {

inline constexpr char kRecordingMagic[8] = {'Z', 'T', 'R', 'E', 'C', 0, '\r', '\n'};
inline constexpr uint32_t kRecordingFormatVersion = 1;
inline constexpr uint32_t kRecordingByteOrderMark = 0x01020304;
// Largest payload of one entry: a ring-buffer record is at most a data event
// header plus ZT_MAX_CAPTURE bytes; a process resource is far smaller. A
// length above this means the file is corrupt, not that the entry is big.
inline constexpr uint32_t kMaxRecordingPayload = 1u << 20;

struct RecordingFileHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t byte_order;    // kRecordingByteOrderMark as the writer stored it
  uint32_t header_bytes;  // the whole header: this struct, strings, padding
  // bpf/zerotrace_events.h as the recording agent was built with it.
  uint16_t data_event_header_size;
  uint16_t close_event_size;
  uint16_t process_event_size;
  uint16_t max_capture;
  uint32_t layout_fingerprint;  // field offsets and enum values, hashed
  int64_t monotonic_to_unix_offset_ns;  // CLOCK_REALTIME - CLOCK_MONOTONIC at start
  uint64_t start_monotonic_ns;
  uint32_t recorder_pid;
  uint16_t host_name_bytes;
  uint16_t agent_version_bytes;
  uint8_t reserved[8];
};
static_assert(sizeof(RecordingFileHeader) == 64);

enum class RecordingEntryKind : uint8_t {
  kEvent = 1,            // one raw ring-buffer record, as the kernel sent it
  kProcessResource = 2,  // a traced process's resource (resource_codec.h), before its spans
  kClockOffset = 3,      // int64 CLOCK_REALTIME - CLOCK_MONOTONIC, re-measured
  kEnd = 4,              // no payload: the recording was closed cleanly
};

struct RecordingEntryHeader {
  uint32_t payload_bytes;  // without the padding
  uint8_t kind;            // RecordingEntryKind
  uint8_t reserved[3];
  uint64_t receive_monotonic_ns;  // when the agent took it (CLOCK_MONOTONIC)
};
static_assert(sizeof(RecordingEntryHeader) == 16);

inline constexpr uint64_t PaddedTo8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

// What a recording says about where and how it was made.
struct RecordingInfo {
  int64_t monotonic_to_unix_offset_ns = 0;
  uint64_t start_monotonic_ns = 0;
  uint32_t recorder_pid = 0;
  std::string host_name;
  std::string agent_version;
};

// A hash of bpf/zerotrace_events.h's layout as this binary sees it.
uint32_t EventLayoutFingerprint();

// The header for a recording made now by this binary.
RecordingFileHeader MakeRecordingFileHeader(const RecordingInfo& info);

// Empty when `header` (of a file of `file_bytes`) can be replayed by this
// binary, else one line saying why not.
std::string RecordingHeaderProblem(const RecordingFileHeader& header, uint64_t file_bytes);

}  // namespace zerotrace
