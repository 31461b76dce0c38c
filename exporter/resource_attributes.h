// The attributes a Resource is exported with. Back-ends group and label by
// service.name (and show "unknown_service" without it), so every output
// carries service.name and process.pid even if the producer of the Resource
// only filled in the struct fields.
#pragma once

#include <string_view>

#include "agent/model/span.h"

namespace zerotrace {

inline constexpr std::string_view kServiceNameKey = "service.name";
inline constexpr std::string_view kProcessPidKey = "process.pid";

// Calls visit(std::string_view key, const AttributeValue& value) for each
// attribute of `resource`, then for service.name / process.pid taken from
// the struct fields when the attribute list lacks them.
template <typename Visitor>
void ForEachResourceAttribute(const Resource& resource, Visitor&& visit) {
  bool has_service_name = false, has_pid = false;
  for (const Attribute& attribute : resource.attributes) {
    has_service_name |= attribute.key == kServiceNameKey;
    has_pid |= attribute.key == kProcessPidKey;
    visit(std::string_view(attribute.key), attribute.value);
  }
  if (!has_service_name && !resource.service_name.empty())
    visit(kServiceNameKey, AttributeValue(resource.service_name));
  if (!has_pid && resource.pid != 0)
    visit(kProcessPidKey, AttributeValue(static_cast<int64_t>(resource.pid)));
}

}  // namespace zerotrace
