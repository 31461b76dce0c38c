// --stats-file: the agent's final counters, as /metrics serves them, left in
// a file for whoever looks after the agent has gone (scripts, tests, a
// supervisor). Written whole or not at all: FILE.tmp first, then renamed over
// FILE, so a reader never sees half of it.
#pragma once

#include <string>
#include <string_view>

namespace zerotrace::telemetry {

// Writes `text` to `path` + ".tmp" and renames it to `path`. On failure
// returns false with *error one line naming the file, and leaves no .tmp.
bool WriteStatsFile(const std::string& path, std::string_view text, std::string* error);

}  // namespace zerotrace::telemetry
