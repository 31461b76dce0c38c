// A hook that adds what the environment knows about a process (e.g. its
// Kubernetes pod) to the resource the process registry builds. The interface
// lives here so the registry does not depend on any one source of metadata.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/process/process_facts.h"
#include "agent/model/span.h"

namespace zerotrace {

struct ResourceEnrichment {
  // Added after the detected attributes; the process's own
  // OTEL_RESOURCE_ATTRIBUTES and the agent's overrides still win over them.
  // Must not hold service.name: use default_service_name.
  std::vector<Attribute> attributes;
  // The service.name to use when the process names none itself (e.g. its
  // workload's name); tried just before the executable's name.
  std::string default_service_name;
  // More may be known later (the process is in a container whose pod has not
  // arrived yet): the registry asks again once generation() has moved.
  bool pending = false;
};

class ResourceEnricher {
 public:
  virtual ~ResourceEnricher() = default;

  // Called on the registry's thread for every process it reads; must be
  // thread-safe against whatever feeds the enricher.
  virtual ResourceEnrichment Enrich(const ProcessFacts& facts) const = 0;

  // Moves whenever an Enrich answer may have changed. Cheap: the registry
  // reads it on every lookup of a process whose enrichment is pending.
  virtual uint64_t generation() const = 0;
};

}  // namespace zerotrace
