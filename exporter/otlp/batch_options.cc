#include "exporter/otlp/batch_options.h"

#include <algorithm>

namespace zerotrace::otlp {

BatchOptions Normalized(BatchOptions options) {
  options.max_queue_size = std::max<size_t>(options.max_queue_size, 1);
  options.max_export_batch_size =
      std::clamp<size_t>(options.max_export_batch_size, 1, options.max_queue_size);
  options.schedule_delay = std::max(options.schedule_delay, std::chrono::milliseconds(1));
  options.export_timeout = std::max(options.export_timeout, std::chrono::milliseconds(1));
  return options;
}

}  // namespace zerotrace::otlp
