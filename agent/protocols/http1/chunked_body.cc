#include "agent/protocols/http1/chunked_body.h"

#include <algorithm>
#include <cstring>

#include "base/text.h"

namespace zerotrace::http1 {
namespace {

constexpr uint64_t kMaxChunkSize = uint64_t{1} << 60;
constexpr uint32_t kMaxChunkExtBytes = 4096;
constexpr uint32_t kMaxTrailerBytes = 16 * 1024;

}  // namespace

void ChunkedBody::Start() {
  state_ = State::kSize;
  chunk_size_ = 0;
  chunk_digits_ = 0;
}

void ChunkedBody::EndSizeLine() {
  if (chunk_size_ == 0) {
    state_ = State::kTrailerStart;
    line_bytes_ = 0;
  } else {
    remaining_ = chunk_size_;
    state_ = State::kData;
  }
}

ChunkedBody::LineRest ChunkedBody::SkipLineRest(std::string_view data, size_t* pos,
                                                uint32_t max_bytes) {
  const void* nl = std::memchr(data.data() + *pos, '\n', data.size() - *pos);
  const size_t line_end =
      nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
  line_bytes_ += static_cast<uint32_t>(std::min<size_t>(line_end - *pos, max_bytes + 1));
  if (line_bytes_ > max_bytes) return LineRest::kTooLong;
  if (nl == nullptr) return LineRest::kContinues;
  *pos = line_end + 1;
  return LineRest::kEnded;
}

ChunkedBody::Progress ChunkedBody::Read(std::string_view data, size_t pos) {
  Progress progress;
  auto stop = [&](size_t at, Status status) {
    progress.end = at;
    progress.status = status;
    return progress;
  };
  while (pos < data.size()) {
    const char c = data[pos];
    switch (state_) {
      case State::kSize: {
        const int digit = HexDigitValue(c);
        if (digit >= 0) {
          if (chunk_size_ > (kMaxChunkSize >> 4)) return stop(pos, Status::kFramingLost);
          chunk_size_ = chunk_size_ * 16 + static_cast<uint64_t>(digit);
          ++chunk_digits_;
          ++pos;
        } else if (chunk_digits_ == 0) {
          return stop(pos, Status::kFramingLost);
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::kExtension;
          line_bytes_ = 0;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
          ++pos;
        } else if (c == '\n') {
          ++pos;
          EndSizeLine();
        } else {
          return stop(pos, Status::kFramingLost);
        }
        break;
      }
      case State::kExtension:
      case State::kTrailerLine: {
        // Neither is kept: counted, capped, and skipped to the line's end.
        const bool extension = state_ == State::kExtension;
        const LineRest rest =
            SkipLineRest(data, &pos, extension ? kMaxChunkExtBytes : kMaxTrailerBytes);
        if (rest == LineRest::kTooLong) return stop(pos, Status::kFramingLost);
        if (rest == LineRest::kContinues) return stop(data.size(), Status::kInBody);
        if (extension) {
          EndSizeLine();
        } else {
          state_ = State::kTrailerStart;
        }
        break;
      }
      case State::kSizeLf:
        if (c != '\n') return stop(pos, Status::kFramingLost);
        ++pos;
        EndSizeLine();
        break;
      case State::kData: {
        const uint64_t n = std::min<uint64_t>(remaining_, data.size() - pos);
        progress.data_bytes += n;
        remaining_ -= n;
        pos += n;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (c == '\r') {
          state_ = State::kDataLf;
        } else if (c == '\n') {
          Start();
        } else {
          return stop(pos, Status::kFramingLost);
        }
        ++pos;
        break;
      case State::kDataLf:
        if (c != '\n') return stop(pos, Status::kFramingLost);
        ++pos;
        Start();
        break;
      case State::kTrailerStart:
        if (c == '\r') {
          state_ = State::kTrailerEndLf;
          ++pos;
        } else if (c == '\n') {
          return stop(pos + 1, Status::kEnded);
        } else {
          state_ = State::kTrailerLine;
        }
        break;
      case State::kTrailerEndLf:
        if (c != '\n') return stop(pos, Status::kFramingLost);
        return stop(pos + 1, Status::kEnded);
    }
  }
  return stop(pos, Status::kInBody);
}

ChunkedBody::Skipped ChunkedBody::Skip(uint64_t bytes) {
  Skipped skipped;
  while (bytes > 0) {
    switch (state_) {
      case State::kData: {
        const uint64_t n = std::min(bytes, remaining_);
        skipped.body_bytes += n;
        remaining_ -= n;
        bytes -= n;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        state_ = State::kDataLf;
        --bytes;
        break;
      case State::kDataLf:
        Start();
        --bytes;
        break;
      default:
        skipped.body_bytes += bytes;
        skipped.framing_lost = true;
        return skipped;
    }
  }
  return skipped;
}

}  // namespace zerotrace::http1
