// The counters as log lines: every --stats-interval and at exit.
#pragma once

#include "agent/pipeline.h"
#include "exporter/exporter_stats.h"
#include "probes/socket_trace_probes.h"

namespace zerotrace {

// `kernel`: the kernel side's counters (all zero in a replay: it has no kernel).
void LogCounters(const Pipeline& pipeline, const probes::KernelCounters& kernel,
                 const ExporterCounts& exporter);

}  // namespace zerotrace
