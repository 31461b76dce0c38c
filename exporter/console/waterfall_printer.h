// Renders one trace as a text waterfall, like the timeline view of Jaeger:
//
//   trace 4bf92f3577b34da6a3ce929d0e0e4736  3 spans  125.400 ms
//     python3 SERVER GET /users/{id}          200   125.400 ms |########################################|
//       python3 CLIENT GET /db                200    80.120 ms |....##########################..........|
//
// Spans appear in tree order: children under their parent, indented, sorted
// by start time; a span whose parent is not in the trace starts at the root
// level. The bar shows where the span starts and how long it lasts
// relative to the whole trace.
#pragma once

#include <cstddef>
#include <ostream>
#include <span>

#include "agent/model/span.h"

namespace zerotrace::console {

struct WaterfallStyle {
  bool color = false;    // ANSI colours (only for a terminal)
  bool unicode = false;  // block characters for the bar instead of '#'/'.'
  size_t label_width = 64;  // indentation + service + kind + name
  size_t bar_width = 40;
};

void PrintTraceWaterfall(std::span<const Span> spans, const WaterfallStyle& style, std::ostream& out);

}  // namespace zerotrace::console
