#include "agent/events/recording_reader.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace zerotrace {

std::unique_ptr<RecordingReader> RecordingReader::Open(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = fmt::format("cannot read the recording {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = fmt::format("cannot read the recording {}: not a regular file", path);
    ::close(fd);
    return nullptr;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < sizeof(RecordingFileHeader)) {
    ::close(fd);
    *error = size == 0 ? fmt::format("{}: empty file, not a zerotrace recording", path)
                       : fmt::format("{}: {} bytes, too short for a zerotrace recording header", path, size);
    return nullptr;
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file
  if (map == MAP_FAILED) {
    *error = fmt::format("cannot map the recording {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  ::madvise(map, size, MADV_SEQUENTIAL);
  std::unique_ptr<RecordingReader> reader(
      new RecordingReader(static_cast<const uint8_t*>(map), size, path));

  RecordingFileHeader header;
  std::memcpy(&header, reader->data_, sizeof(header));
  if (std::string problem = RecordingHeaderProblem(header, size); !problem.empty()) {
    *error = fmt::format("{}: {}", path, problem);
    return nullptr;
  }
  const char* strings = reinterpret_cast<const char*>(reader->data_ + sizeof(header));
  reader->info_.host_name.assign(strings, header.host_name_bytes);
  reader->info_.agent_version.assign(strings + header.host_name_bytes, header.agent_version_bytes);
  reader->info_.monotonic_to_unix_offset_ns = header.monotonic_to_unix_offset_ns;
  reader->info_.start_monotonic_ns = header.start_monotonic_ns;
  reader->info_.recorder_pid = header.recorder_pid;
  reader->first_entry_ = reader->offset_ = header.header_bytes;
  return reader;
}

RecordingReader::RecordingReader(const uint8_t* data, uint64_t size, std::string path)
    : data_(data), size_(size), path_(std::move(path)) {}

RecordingReader::~RecordingReader() { ::munmap(const_cast<uint8_t*>(data_), size_); }

void RecordingReader::Rewind() {
  offset_ = first_entry_;
  entries_read_ = 0;
  done_ = ended_cleanly_ = false;
  end_ns_ = 0;
  problem_.clear();
}

bool RecordingReader::Stop(std::string problem) {
  done_ = true;
  problem_ = std::move(problem);
  return false;
}

bool RecordingReader::Next(RecordingEntry* entry) {
  if (done_) return false;
  const uint64_t left = size_ - offset_;
  if (left == 0)
    return Stop(fmt::format("{}: the recording ends without its end marker after {} entries "
                            "(the agent was stopped abruptly?); replayed what it holds",
                            path_, entries_read_));
  if (left < sizeof(RecordingEntryHeader))
    return Stop(fmt::format("{}: truncated after {} entries ({} stray bytes at offset {}); "
                            "replayed what came before",
                            path_, entries_read_, left, offset_));
  RecordingEntryHeader header;
  std::memcpy(&header, data_ + offset_, sizeof(header));
  const auto kind = static_cast<RecordingEntryKind>(header.kind);
  if (header.payload_bytes > kMaxRecordingPayload)
    return Stop(fmt::format("{}: corrupt entry at offset {}: claims {} bytes (at most {}); "
                            "replayed the {} entries before it",
                            path_, offset_, header.payload_bytes, kMaxRecordingPayload, entries_read_));
  if (header.kind < static_cast<uint8_t>(RecordingEntryKind::kEvent) ||
      header.kind > static_cast<uint8_t>(RecordingEntryKind::kEnd))
    return Stop(fmt::format("{}: corrupt entry at offset {}: unknown kind {}; replayed the {} "
                            "entries before it",
                            path_, offset_, header.kind, entries_read_));
  const uint64_t padded = PaddedTo8(header.payload_bytes);
  if (left - sizeof(header) < padded)
    return Stop(fmt::format("{}: truncated after {} entries (the last one, at offset {}, is cut "
                            "short); replayed what came before",
                            path_, entries_read_, offset_));
  entry->kind = kind;
  entry->receive_monotonic_ns = header.receive_monotonic_ns;
  entry->payload = {data_ + offset_ + sizeof(header), header.payload_bytes};
  offset_ += sizeof(header) + padded;
  ++entries_read_;
  if (kind == RecordingEntryKind::kEnd) {
    done_ = ended_cleanly_ = true;
    end_ns_ = header.receive_monotonic_ns;
    if (offset_ != size_)
      problem_ = fmt::format("{}: {} bytes after the end marker ignored", path_, size_ - offset_);
    return false;
  }
  return true;
}

}  // namespace zerotrace
