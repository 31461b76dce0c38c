// One line of a Kubernetes watch stream: {"type": ..., "object": {...}}.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace zerotrace::kubernetes {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  nlohmann::json object;
};

// nullopt for a line that is not JSON, has an unknown type or no object.
std::optional<WatchEvent> ParseWatchEvent(std::string_view line);

// For an ERROR event's object (a metav1.Status): its code (410: the
// resourceVersion is too old, relist) and message.
struct ApiStatus {
  long code = 0;
  std::string reason;
  std::string message;
};
ApiStatus ParseApiStatus(const nlohmann::json& status);
// Same, from a response body that may not be JSON at all.
ApiStatus ParseApiStatusBody(std::string_view body);

}  // namespace zerotrace::kubernetes
