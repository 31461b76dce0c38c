// Incremental HTTP/1.x framing over captured syscall chunks.
//
// Each chunk is a prefix of what one syscall moved: the kernel copies at most
// ZT_MAX_CAPTURE bytes, so `total_size` may exceed the captured bytes. The
// parser frames messages by Content-Length / chunked encoding / no-body rules,
// skipping uncaptured bytes by count. When framing cannot be followed
// (uncaptured chunk headers, truncated header block, lost events) it resyncs:
// the next chunk that begins with a message start opens a new message and
// closes the one in progress.
//
// Why not llhttp/http-parser: they need every byte; captures here have holes.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/protocols/http1/types.h"

namespace zerotrace::http1 {

struct ParserStats {
  uint64_t messages = 0;
  uint64_t garbage_chunks = 0;  // chunks skipped because they were not HTTP
  uint64_t resyncs = 0;         // times framing was lost and found again
};

class Parser {
 public:
  explicit Parser(MessageKind kind);

  // One syscall's captured bytes (a prefix of `total_size` bytes).
  void Feed(std::span<const uint8_t> captured, uint64_t total_size, const ChunkTiming& timing);

  // `bytes` went by without being seen (lost events). The message in progress
  // is closed at its last seen chunk if one is open; parsing resumes at the
  // next message start.
  void Gap(uint64_t bytes);

  // The connection closed: a response framed by close ends here.
  void Close(const ChunkTiming& timing);

  // The message in progress (if it is past its headers and waiting on a
  // framing-lost or read-until-close body) is finished now. The tracker calls
  // this when the other direction proves the message is over.
  void FinishPending();

  // For the response direction: the methods of the requests, in order, so
  // responses to HEAD (and 1xx/204/304) are framed without a body. When none
  // is queued, a response is framed as if the request was GET.
  void ExpectResponseTo(std::string_view request_method);

  // Completed messages, oldest first. The caller pops what it consumes.
  std::deque<Request>& requests() { return requests_; }
  std::deque<Response>& responses() { return responses_; }

  const ParserStats& stats() const { return stats_; }

 private:
  // Implementation state lives in parser.cc's helpers; see there.
  struct State;
  MessageKind kind_;
  std::deque<Request> requests_;
  std::deque<Response> responses_;
  std::deque<std::string> expected_methods_;
  ParserStats stats_;
  // (private members are the implementer's choice)
};

}  // namespace zerotrace::http1
