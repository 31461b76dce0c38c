// A process's OTel resource as bytes, for recordings: a replay on another
// machine (or after the process exited) cannot read /proc/PID, so the
// recording carries what the live agent knew of each traced process.
//
//   pid u32, service_name str, count u32, count × (key str, tag u8, value)
//   str := u32 length, bytes; value by tag: 0 str, 1 int64, 2 bool u8, 3 double
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/model/span.h"

namespace zerotrace {

// Replaces *out with the encoding of `resource`.
void EncodeResource(const Resource& resource, std::vector<uint8_t>* out);

// The resource `bytes` encode, or std::nullopt (with why in *error) when
// they are cut short, hold an unknown tag, or carry bytes after the end.
std::optional<Resource> DecodeResource(std::span<const uint8_t> bytes, std::string* error);

}  // namespace zerotrace
