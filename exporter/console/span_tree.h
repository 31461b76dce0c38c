// Orders a trace's spans for display: depth-first, children sorted by start
// time under their parent. Robust to what captured traffic can produce:
// parents missing from the trace, duplicate span ids, parent cycles.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "agent/model/span.h"

namespace zerotrace::console {

struct SpanTreeRow {
  size_t index;  // into the spans given to SpanTreeOrder
  size_t depth;  // 0 for spans shown at the root level
};

// One row per span.
std::vector<SpanTreeRow> SpanTreeOrder(std::span<const Span> spans);

}  // namespace zerotrace::console
