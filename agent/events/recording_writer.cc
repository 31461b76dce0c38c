#include "agent/events/recording_writer.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/events/resource_codec.h"

namespace zerotrace {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr uint64_t kEndMarkerBytes = sizeof(RecordingEntryHeader);

// write(2) until done; EINTR is expected (the stop signals have no SA_RESTART).
bool WriteAll(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::unique_ptr<RecordingWriter> RecordingWriter::Create(const std::string& path,
                                                         const RecordingInfo& info,
                                                         uint64_t max_bytes, std::string* error) {
  const RecordingFileHeader header = MakeRecordingFileHeader(info);
  if (header.header_bytes + kEndMarkerBytes > max_bytes) {
    *error = fmt::format("the recording size limit ({} bytes) leaves no room for records", max_bytes);
    return nullptr;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    *error = fmt::format("cannot write the recording {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  std::unique_ptr<RecordingWriter> writer(new RecordingWriter(fd, path, max_bytes));
  auto& out = writer->buffer_;
  const auto* raw = reinterpret_cast<const uint8_t*>(&header);
  out.insert(out.end(), raw, raw + sizeof(header));
  out.insert(out.end(), info.host_name.begin(), info.host_name.begin() + header.host_name_bytes);
  out.insert(out.end(), info.agent_version.begin(),
             info.agent_version.begin() + header.agent_version_bytes);
  out.resize(header.header_bytes, 0);
  writer->bytes_ = header.header_bytes;
  writer->last_receive_ns_ = info.start_monotonic_ns;
  // Written now, so a file that cannot take bytes (full disk, quota) is
  // refused at start rather than on the first flush.
  if (!writer->Flush()) {
    *error = fmt::format("cannot write the recording {}: {}", path, std::strerror(errno));
    writer->state_ = State::kFailed;  // the destructor must not try again
    return nullptr;
  }
  return writer;
}

RecordingWriter::RecordingWriter(int fd, std::string path, uint64_t max_bytes)
    : fd_(fd), path_(std::move(path)), max_bytes_(max_bytes) {
  buffer_.reserve(kFlushBytes + kMaxRecordingPayload);
}

RecordingWriter::~RecordingWriter() {
  Finish(last_receive_ns_);
  if (fd_ >= 0) ::close(fd_);
}

bool RecordingWriter::AppendEvent(uint64_t receive_ns, std::span<const uint8_t> record) {
  if (!Append(RecordingEntryKind::kEvent, receive_ns, record)) return false;
  ++events_;
  return true;
}

bool RecordingWriter::AppendProcessResource(uint64_t receive_ns, const Resource& resource) {
  EncodeResource(resource, &scratch_);
  return Append(RecordingEntryKind::kProcessResource, receive_ns, scratch_);
}

bool RecordingWriter::AppendClockOffset(uint64_t receive_ns, int64_t offset_ns) {
  return Append(RecordingEntryKind::kClockOffset, receive_ns,
                {reinterpret_cast<const uint8_t*>(&offset_ns), sizeof(offset_ns)});
}

bool RecordingWriter::Append(RecordingEntryKind kind, uint64_t receive_ns,
                             std::span<const uint8_t> payload) {
  if (state_ != State::kWriting) return false;
  if (payload.size() > kMaxRecordingPayload) return false;  // never from the kernel
  const uint64_t entry_bytes = sizeof(RecordingEntryHeader) + PaddedTo8(payload.size());
  if (bytes_ + entry_bytes + kEndMarkerBytes > max_bytes_) {
    spdlog::warn("recording stopped: {} reached its size limit of {:.0f} MiB (--record-max-mb) "
                 "after {} records; tracing goes on",
                 path_, static_cast<double>(max_bytes_) / (1 << 20), events_);
    Finish(last_receive_ns_);
    state_ = State::kLimitReached;
    return false;
  }
  PutEntry(kind, receive_ns, payload);
  last_receive_ns_ = receive_ns;
  if (buffer_.size() >= kFlushBytes && !Flush()) {
    Fail(std::strerror(errno));
    return false;
  }
  return true;
}

void RecordingWriter::PutEntry(RecordingEntryKind kind, uint64_t receive_ns,
                               std::span<const uint8_t> payload) {
  RecordingEntryHeader entry{};
  entry.payload_bytes = static_cast<uint32_t>(payload.size());
  entry.kind = static_cast<uint8_t>(kind);
  entry.receive_monotonic_ns = receive_ns;
  const size_t at = buffer_.size();
  const size_t padded = PaddedTo8(payload.size());
  // One resize, then copies: no per-byte push_back on the hot path.
  buffer_.resize(at + sizeof(entry) + padded);
  uint8_t* out = buffer_.data() + at;
  std::memcpy(out, &entry, sizeof(entry));
  if (!payload.empty()) std::memcpy(out + sizeof(entry), payload.data(), payload.size());
  std::memset(out + sizeof(entry) + payload.size(), 0, padded - payload.size());
  bytes_ += sizeof(entry) + padded;
}

bool RecordingWriter::Flush() {
  if (buffer_.empty()) return true;
  const bool ok = WriteAll(fd_, buffer_.data(), buffer_.size());
  buffer_.clear();
  return ok;
}

void RecordingWriter::Fail(const std::string& what) {
  spdlog::warn("recording stopped: cannot write {}: {}; tracing goes on", path_, what);
  state_ = State::kFailed;
  buffer_.clear();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RecordingWriter::Finish(uint64_t now_ns) {
  if (state_ != State::kWriting) return;
  PutEntry(RecordingEntryKind::kEnd, std::max(now_ns, last_receive_ns_), {});
  if (!Flush()) {
    Fail(std::strerror(errno));
    return;
  }
  ::close(fd_);
  fd_ = -1;
  state_ = State::kFinished;
}

}  // namespace zerotrace
