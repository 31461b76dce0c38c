// A chunked transfer-coded body (RFC 9112 7.1) read from captured bytes:
// chunk-size lines (with extensions), chunk data, the CRLF after each, and
// the trailer section, byte by byte across chunk boundaries. It counts the
// data bytes and keeps none of them. Parser owns one per direction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace zerotrace::http1 {

class ChunkedBody {
 public:
  enum class Status : uint8_t {
    kInBody,       // everything read belongs to the body, which goes on
    kEnded,        // the body's last byte (of the final CRLF) was read
    kFramingLost,  // the byte at `end` cannot continue a chunked body
  };
  struct Progress {
    size_t end = 0;           // position in the input after the body's bytes
    uint64_t data_bytes = 0;  // chunk-data bytes among them: the body size
    Status status = Status::kInBody;
  };
  struct Skipped {
    uint64_t body_bytes = 0;    // bytes to count as body
    bool framing_lost = false;  // a size line or trailer went by unseen
  };

  // A body begins: the next byte starts its first chunk-size line.
  void Start();

  // Reads on from data[pos].
  Progress Read(std::string_view data, size_t pos);

  // `bytes` of the body went by unseen. Chunk data is skipped by count, and
  // so is the CRLF after it (assumed CRLF, as every sender writes it); an
  // unseen chunk-size line or trailer loses framing, and all that is left of
  // `bytes` then counts as body.
  Skipped Skip(uint64_t bytes);

 private:
  enum class State : uint8_t {
    kSize,          // hex digits of a chunk-size line
    kExtension,     // chunk extensions up to the end of that line
    kSizeLf,        // LF after the chunk-size line's CR
    kData,          // remaining_ bytes of chunk data
    kDataCr,        // CRLF after chunk data
    kDataLf,
    kTrailerStart,  // start of a trailer line or of the final empty line
    kTrailerLine,   // inside a trailer line
    kTrailerEndLf,  // LF of the final empty line
  };

  void EndSizeLine();
  // The rest of a line that is only counted (an extension, a trailer), from
  // data[*pos]: kEnded moves *pos past its LF; kTooLong once line_bytes_
  // passes `max_bytes`.
  enum class LineRest : uint8_t { kEnded, kContinues, kTooLong };
  LineRest SkipLineRest(std::string_view data, size_t* pos, uint32_t max_bytes);

  State state_ = State::kSize;
  uint64_t remaining_ = 0;  // chunk-data bytes still to come
  uint64_t chunk_size_ = 0;
  uint32_t chunk_digits_ = 0;
  uint32_t line_bytes_ = 0;  // chunk-extension or trailer bytes so far (capped)
};

}  // namespace zerotrace::http1
