// Tuning of the batch span processor. The caller fills it (the agent's config
// may override any field); BatchOptionsFromEnvironment() gives the values the
// OpenTelemetry OTEL_BSP_* variables ask for.
#pragma once

#include <chrono>
#include <cstddef>

namespace zerotrace::otlp {

struct BatchOptions {
  size_t max_queue_size = 2048;                      // OTEL_BSP_MAX_QUEUE_SIZE
  size_t max_export_batch_size = 512;                // OTEL_BSP_MAX_EXPORT_BATCH_SIZE
  std::chrono::milliseconds schedule_delay{5000};    // OTEL_BSP_SCHEDULE_DELAY
  std::chrono::milliseconds export_timeout{30000};   // OTEL_BSP_EXPORT_TIMEOUT
};

// Defaults overridden by the OTEL_BSP_* variables that are set. A variable
// that is not a non-negative integer (or is 0 where 0 makes no sense) keeps
// the default and is reported in one warning line.
BatchOptions BatchOptionsFromEnvironment();

// Makes options usable: sizes at least 1, batch no larger than the queue
// (as the specification requires), timeout at least 1 ms.
BatchOptions Normalized(BatchOptions options);

}  // namespace zerotrace::otlp
