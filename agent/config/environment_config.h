// The configuration layer from the standard OpenTelemetry variables
// (OTEL_EXPORTER_OTLP_*, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
// OTEL_SDK_DISABLED, OTEL_BSP_*). A ..._TRACES_... variable beats its generic
// twin; empty values count as unset; a set but invalid value is an error.
#pragma once

#include <optional>

#include "agent/config/agent_config.h"
#include "agent/config/config_error.h"
#include "agent/config/config_layer.h"

namespace zerotrace {

// Fills *layer from `env`. Returns the first invalid variable, if any.
std::optional<ConfigError> LoadEnvironmentConfig(const EnvLookup& env, ConfigLayer* layer);

}  // namespace zerotrace
