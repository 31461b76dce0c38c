// Typed, size-checked views of the raw records the kernel sends.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "bpf/zerotrace_events.h"

namespace zerotrace {

struct DataEventView {
  const zt_data_event_header* header;
  std::span<const uint8_t> captured;  // header->captured bytes
};

struct CloseEventView {
  const zt_close_event* event;
};

// A process started a program (exec) or exited.
struct ProcessEventView {
  const zt_process_event* event;
  bool exited() const { return event->type == ZT_EVENT_EXIT; }
};

// Records that are too short, or claim more bytes than they carry, decode to
// std::monostate and are counted by the caller as malformed.
using DecodedEvent =
    std::variant<std::monostate, DataEventView, CloseEventView, ProcessEventView>;

DecodedEvent DecodeEvent(std::span<const uint8_t> record);

}  // namespace zerotrace
