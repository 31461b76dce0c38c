// Reading one HTTP/1.x header block (start line + header lines) from bytes
// that are already contiguous. No allocation: results are views into the
// input, valid as long as it is.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/protocols/http1/types.h"

namespace zerotrace::http1 {

enum class StartLineCheck { kValid, kNeedMore, kInvalid };

struct StartLine {
  std::string_view method;   // requests
  std::string_view target;   // requests; partial when the check needs more
  std::string_view version;  // "1.0" / "1.1"
  int status_code = 0;       // responses
  size_t length = 0;         // bytes including the line terminator (kValid)
  // Enough was read to report a message even if the rest never arrives:
  // method and the space after it (request), the status code (response).
  bool usable = false;
};

// Does `data` begin with a start line of `kind`? kNeedMore: `data` is a
// plausible prefix of one. Fills `out` with what was read either way.
StartLineCheck ParseStartLine(MessageKind kind, std::string_view data, StartLine* out);

// The header fields that framing and spans need.
struct HeaderFields {
  std::string_view host;
  std::string_view user_agent;
  std::string_view traceparent;
  // W3C allows tracestate split over several header lines; they are joined.
  static constexpr size_t kMaxTracestate = 4;
  std::array<std::string_view, kMaxTracestate> tracestate{};
  size_t tracestate_count = 0;

  bool has_content_length = false;
  bool content_length_invalid = false;  // non-numeric, overflowing or conflicting
  uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  bool chunked = false;  // "chunked" is the final transfer coding
};

struct HeaderScan {
  size_t consumed = 0;    // bytes of complete lines read (incl. the empty line if found)
  bool complete = false;  // the empty line ending the block was found
};

// Reads header lines (everything after the start line). Only complete lines
// are read; an incomplete last line is left unconsumed.
HeaderScan ParseHeaderLines(std::string_view data, HeaderFields* out);

// Offset just past the empty line that ends the header block in `data`
// (which begins at a start line), or npos. `*resume` is where a later search
// over a longer `data` may start; pass the previous value back in.
size_t FindHeaderBlockEnd(std::string_view data, size_t* resume);

}  // namespace zerotrace::http1
