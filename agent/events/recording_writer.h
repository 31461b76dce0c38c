// Writes a recording (event_recording.h) on the pipeline thread. Entries are
// gathered in a buffer and written a megabyte at a time, so recording costs
// a copy per record, not a syscall. The file never grows past its size limit:
// at the limit the writer closes the recording (end marker included) and
// says so in one line; the caller goes on tracing.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/events/event_recording.h"
#include "agent/model/span.h"

namespace zerotrace {

class RecordingWriter {
 public:
  enum class State { kWriting, kLimitReached, kFailed, kFinished };

  // Creates (or truncates) `path` and writes the header. Null, with one line
  // in *error, when the file cannot be written. `max_bytes` bounds the
  // whole file, header and end marker included.
  static std::unique_ptr<RecordingWriter> Create(const std::string& path, const RecordingInfo& info,
                                                 uint64_t max_bytes, std::string* error);
  ~RecordingWriter();  // Finish()es with the last time appended
  RecordingWriter(const RecordingWriter&) = delete;
  RecordingWriter& operator=(const RecordingWriter&) = delete;

  // Each returns false once the recording has stopped (limit, write error,
  // finished); the first such stop is logged as one line.
  bool AppendEvent(uint64_t receive_monotonic_ns, std::span<const uint8_t> record);
  bool AppendProcessResource(uint64_t receive_monotonic_ns, const Resource& resource);
  bool AppendClockOffset(uint64_t receive_monotonic_ns, int64_t monotonic_to_unix_offset_ns);

  // Writes the end marker, flushes and closes. Idempotent.
  void Finish(uint64_t now_monotonic_ns);

  State state() const { return state_; }
  bool writing() const { return state_ == State::kWriting; }
  uint64_t bytes() const { return bytes_; }  // in the file once flushed
  uint64_t events() const { return events_; }
  const std::string& path() const { return path_; }

 private:
  RecordingWriter(int fd, std::string path, uint64_t max_bytes);
  bool Append(RecordingEntryKind kind, uint64_t receive_ns, std::span<const uint8_t> payload);
  void PutEntry(RecordingEntryKind kind, uint64_t receive_ns, std::span<const uint8_t> payload);
  bool Flush();
  void Fail(const std::string& what);

  int fd_;
  std::string path_;
  uint64_t max_bytes_;
  uint64_t bytes_ = 0;  // header and entries, buffered or not
  uint64_t events_ = 0;
  uint64_t last_receive_ns_ = 0;
  State state_ = State::kWriting;
  std::vector<uint8_t> buffer_;
  std::vector<uint8_t> scratch_;  // an encoded resource, reused
};

}  // namespace zerotrace
