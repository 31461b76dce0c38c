// The trace context the kernel side decided for a request when it started
// (bpf/trace_context.h): its span's ids and parent, and how the parent was
// found. Travels with the chunk that carried the request's first byte.
#pragma once

#include <array>
#include <cstdint>

namespace zerotrace {

// Mirrors enum zt_link in bpf/zerotrace_events.h.
enum class TraceLink : uint8_t {
  kNone = 0,       // no context: the chunk starts no request
  kRoot = 1,       // a new trace
  kThread = 2,     // child of the one server request the calling thread handled
  kAmbiguous = 3,  // the thread handled several: left a root
  kPeer = 4,       // child of the client request on the other end of this host's connection
};

struct KernelTraceContext {
  std::array<uint8_t, 16> trace_id{};
  std::array<uint8_t, 8> span_id{};
  std::array<uint8_t, 8> parent_span_id{};  // all zero: none
  TraceLink link = TraceLink::kNone;

  bool valid() const { return link != TraceLink::kNone; }
};

}  // namespace zerotrace
