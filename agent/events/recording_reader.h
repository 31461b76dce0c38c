// Reads a recording (event_recording.h) and checks everything it reads: a
// file that is not a recording, from another format or event layout, is
// refused at Open with one line; a truncated or corrupt tail ends Next()
// with one line in problem(), after every good entry before it was given.
//
// The file is mapped, not copied: entries are views into it, 8-byte aligned
// like the ring buffer's records (the event decoder relies on that), valid
// while the reader lives.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "agent/events/event_recording.h"

namespace zerotrace {

struct RecordingEntry {
  RecordingEntryKind kind;
  uint64_t receive_monotonic_ns;
  std::span<const uint8_t> payload;
};

class RecordingReader {
 public:
  // Null, with one line in *error (naming the file), when `path` cannot be
  // read or its header does not allow a replay.
  static std::unique_ptr<RecordingReader> Open(const std::string& path, std::string* error);
  ~RecordingReader();
  RecordingReader(const RecordingReader&) = delete;
  RecordingReader& operator=(const RecordingReader&) = delete;

  const RecordingInfo& info() const { return info_; }

  // The next entry, or false at the end of the file, at the end marker, or
  // at the first bad entry (then problem() says what and where).
  bool Next(RecordingEntry* entry);
  // Empty after a clean end; else why reading stopped early.
  const std::string& problem() const { return problem_; }
  // True once the end marker was read (the recording was closed cleanly).
  bool ended_cleanly() const { return ended_cleanly_; }
  // When the recording was closed (the end marker's time); 0 before it is read.
  uint64_t end_monotonic_ns() const { return end_ns_; }

  // Back to the first entry (benchmarks replay one file many times).
  void Rewind();

  uint64_t file_bytes() const { return size_; }

 private:
  RecordingReader(const uint8_t* data, uint64_t size, std::string path);
  bool Stop(std::string problem);

  const uint8_t* data_;
  uint64_t size_;
  std::string path_;
  uint64_t first_entry_ = 0;
  uint64_t offset_ = 0;
  uint64_t entries_read_ = 0;
  bool done_ = false;
  bool ended_cleanly_ = false;
  uint64_t end_ns_ = 0;
  std::string problem_;
  RecordingInfo info_;
};

}  // namespace zerotrace
