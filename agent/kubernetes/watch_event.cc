#include "agent/kubernetes/watch_event.h"

namespace zerotrace::kubernetes {

using nlohmann::json;

std::optional<WatchEvent> ParseWatchEvent(std::string_view line) {
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  auto type = parsed.find("type");
  auto object = parsed.find("object");
  if (type == parsed.end() || !type->is_string() || object == parsed.end() || !object->is_object())
    return std::nullopt;
  const std::string& name = type->get_ref<const std::string&>();
  WatchEvent event;
  if (name == "ADDED") {
    event.type = WatchEventType::kAdded;
  } else if (name == "MODIFIED") {
    event.type = WatchEventType::kModified;
  } else if (name == "DELETED") {
    event.type = WatchEventType::kDeleted;
  } else if (name == "BOOKMARK") {
    event.type = WatchEventType::kBookmark;
  } else if (name == "ERROR") {
    event.type = WatchEventType::kError;
  } else {
    return std::nullopt;
  }
  event.object = std::move(*object);
  return event;
}

ApiStatus ParseApiStatus(const json& status) {
  ApiStatus out;
  if (!status.is_object()) return out;
  if (auto code = status.find("code"); code != status.end() && code->is_number_integer())
    out.code = code->get<long>();
  if (auto reason = status.find("reason"); reason != status.end() && reason->is_string())
    out.reason = reason->get<std::string>();
  if (auto message = status.find("message"); message != status.end() && message->is_string())
    out.message = message->get<std::string>();
  return out;
}

ApiStatus ParseApiStatusBody(std::string_view body) {
  return ParseApiStatus(json::parse(body, nullptr, /*allow_exceptions=*/false));
}

}  // namespace zerotrace::kubernetes
