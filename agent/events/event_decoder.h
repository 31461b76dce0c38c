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

// Records that are too short, or claim more bytes than they carry, decode to
// std::monostate and are counted by the caller as malformed.
using DecodedEvent = std::variant<std::monostate, DataEventView, CloseEventView>;

DecodedEvent DecodeEvent(std::span<const uint8_t> record);

}  // namespace zerotrace
