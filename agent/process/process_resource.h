// The OTel Resource describing one traced process.
#pragma once

#include <string>
#include <string_view>

#include "agent/process/process_facts.h"
#include "agent/process/resource_attributes_env.h"
#include "agent/process/resource_enricher.h"
#include "agent/model/span.h"

namespace zerotrace {

// service.name, first that is set: the process's OTEL_SERVICE_NAME, the
// service.name in its OTEL_RESOURCE_ATTRIBUTES, the enrichment's default
// (e.g. the name of the Kubernetes workload the process runs in), its
// executable's base name, its comm; for a process /proc knows nothing of,
// "unknown_service:<hint>" with `comm_hint` (e.g. the comm a kernel event
// carried) or plain "unknown_service".
//
// Other attributes: service.instance.id (UUIDv5 of host, pid and start time;
// only when the start time is known), process.pid, process.executable.name
// and .path, host.name, telemetry.sdk.* and telemetry.distro.*. The process's
// OTEL_RESOURCE_ATTRIBUTES are added and override the detected ones except
// the facts about the process and about us (process.pid, process.executable.*,
// telemetry.*). process.command_line is never added: argv may carry secrets.
// The enrichment's attributes (e.g. k8s.pod.name) come after the detected
// ones and before the process's OTEL_RESOURCE_ATTRIBUTES, which may replace
// them like any other detected attribute.
//
// `agent_overrides` are what the user gave the agent itself (its own
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, or the config file): they
// apply to every process and win over what the process says, except for the
// protected facts above.
struct ResourceOverrides {
  std::string service_name;              // empty: keep the process's
  ResourceAttributePairs attributes;     // a service.name here counts if service_name is empty
};
Resource BuildProcessResource(const ProcessFacts& facts, std::string_view host_name,
                              std::string_view comm_hint = {},
                              const ResourceOverrides& agent_overrides = {},
                              const ResourceEnrichment* enrichment = nullptr);

// The executable's base name (or comm when the exe link is unreadable).
std::string_view ExecutableName(const ProcessFacts& facts);

}  // namespace zerotrace
