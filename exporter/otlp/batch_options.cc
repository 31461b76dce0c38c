#include "exporter/otlp/batch_options.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace zerotrace::otlp {

namespace {

// The variable's value if it is set to a positive integer. Zero is refused
// for every OTEL_BSP_* variable: a zero-sized queue or batch exports
// nothing, and a zero delay or timeout would spin or give up at once.
std::optional<uint64_t> PositiveIntegerFromEnv(const char* name) {
  const char* raw = std::getenv(name);
  if (raw == nullptr || *raw == '\0') return std::nullopt;
  const std::string_view text(raw);
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value == 0) {
    spdlog::warn("ignoring {}={:?}: expected a positive integer; using the default", name, text);
    return std::nullopt;
  }
  return value;
}

}  // namespace

BatchOptions BatchOptionsFromEnvironment() {
  BatchOptions options;
  if (auto v = PositiveIntegerFromEnv("OTEL_BSP_MAX_QUEUE_SIZE")) options.max_queue_size = *v;
  if (auto v = PositiveIntegerFromEnv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"))
    options.max_export_batch_size = *v;
  if (auto v = PositiveIntegerFromEnv("OTEL_BSP_SCHEDULE_DELAY"))
    options.schedule_delay = std::chrono::milliseconds(*v);
  if (auto v = PositiveIntegerFromEnv("OTEL_BSP_EXPORT_TIMEOUT"))
    options.export_timeout = std::chrono::milliseconds(*v);
  return options;
}

BatchOptions Normalized(BatchOptions options) {
  options.max_queue_size = std::max<size_t>(options.max_queue_size, 1);
  options.max_export_batch_size =
      std::clamp<size_t>(options.max_export_batch_size, 1, options.max_queue_size);
  options.schedule_delay = std::max(options.schedule_delay, std::chrono::milliseconds(1));
  options.export_timeout = std::max(options.export_timeout, std::chrono::milliseconds(1));
  return options;
}

}  // namespace zerotrace::otlp
