// Tuning of the batch span processor: the OpenTelemetry SDK defaults, which
// the agent's configuration overrides from OTEL_BSP_* or its YAML file.
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

// Makes options usable: sizes at least 1, batch no larger than the queue
// (as the specification requires), timeout at least 1 ms.
BatchOptions Normalized(BatchOptions options);

}  // namespace zerotrace::otlp
