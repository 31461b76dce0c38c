// HTTP/1.x messages as the parser hands them to the connection tracker.
#pragma once

#include <cstdint>
#include <string>

#include "agent/connection/chunk_timing.h"

namespace zerotrace::http1 {

// One syscall's chunk: when, on which thread, with the kernel's trace context.
using ChunkTiming = zerotrace::ChunkTiming;

// Fields common to requests and responses.
struct MessageCommon {
  std::string version;     // "1.1" or "1.0"
  ChunkTiming first_chunk;  // the syscall that carried the first byte
  ChunkTiming last_chunk;   // the syscall that carried the last byte
  uint64_t body_size = 0;   // bytes of body (after de-chunking framing)
  bool headers_truncated = false;  // header block ran past the captured bytes
  bool framing_lost = false;       // end found by resync, not by framing
};

struct Request : MessageCommon {
  std::string method;  // "GET"
  std::string target;  // "/users/42?x=1", as sent (may be absolute-form)
  std::string host;
  std::string user_agent;
  std::string traceparent;
  std::string tracestate;
};

struct Response : MessageCommon {
  int status_code = 0;
};

enum class MessageKind { kRequest, kResponse };

}  // namespace zerotrace::http1
