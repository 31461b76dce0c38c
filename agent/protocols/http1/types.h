// HTTP/1.x messages as the parser hands them to the connection tracker.
#pragma once

#include <cstdint>
#include <string>

#include "agent/model/kernel_trace_context.h"

namespace zerotrace::http1 {

// When and where one captured chunk (one syscall) happened.
struct ChunkTiming {
  uint64_t enter_ns = 0;  // CLOCK_MONOTONIC
  uint64_t exit_ns = 0;
  uint32_t tid = 0;
  // What the kernel decided for a request starting at this chunk's first
  // byte. In a message's first_chunk only when the message starts there.
  KernelTraceContext trace{};
};

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
