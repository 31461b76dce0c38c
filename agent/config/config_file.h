// The configuration layer from the YAML file given with --config. Every key
// is optional; an unknown key, a value of the wrong type or out of range, or
// a file that cannot be read or parsed is an error naming the file (and the
// key and line where there is one). The schema is in config_file.cc.
#pragma once

#include <optional>
#include <string>

#include "agent/config/config_error.h"
#include "agent/config/config_layer.h"

namespace zerotrace {

// Fills *layer from the YAML file at `path`.
std::optional<ConfigError> LoadConfigFile(const std::string& path, ConfigLayer* layer);

}  // namespace zerotrace
