#include "agent/process/process_resource.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "agent/process/resource_attributes_env.h"
#include "agent/process/uuid_v5.h"
#include "agent/model/printable_text.h"
#include "agent/model/semconv.h"

#ifndef ZEROTRACE_VERSION
#define ZEROTRACE_VERSION "0.0.0-dev"
#endif

namespace zerotrace {
namespace {

namespace sc = semconv;

constexpr size_t kMaxNameBytes = 255;

// Keys that state facts about the process or about the agent: a process's
// own OTEL_RESOURCE_ATTRIBUTES cannot overwrite them.
bool IsProtectedKey(std::string_view key) {
  return key == sc::kProcessPid || key.starts_with("process.executable.") ||
         key.starts_with("telemetry.") || key == sc::kServiceName;
}

void Upsert(std::vector<Attribute>& attrs, std::string key, AttributeValue value) {
  for (Attribute& a : attrs) {
    if (a.key == key) {
      a.value = std::move(value);
      return;
    }
  }
  attrs.push_back({std::move(key), std::move(value)});
}

// service.name from OTEL_RESOURCE_ATTRIBUTES; the last one wins, as a later
// duplicate key overrides an earlier one.
std::string_view EnvServiceName(const ResourceAttributePairs& attrs) {
  std::string_view name;
  for (const auto& [key, value] : attrs)
    if (key == sc::kServiceName) name = value;
  return name;
}

}  // namespace

std::string_view ExecutableName(const ProcessFacts& facts) {
  if (facts.exe_path.empty()) return facts.comm;
  std::string_view path = facts.exe_path;
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Resource BuildProcessResource(const ProcessFacts& facts, std::string_view host_name,
                              std::string_view comm_hint, const ResourceOverrides& agent_overrides,
                              const ResourceEnrichment* enrichment) {
  Resource r;
  r.pid = facts.pid;

  std::optional<ResourceAttributePairs> env_attrs;
  if (facts.otel_resource_attributes) {
    env_attrs = ParseResourceAttributesEnv(*facts.otel_resource_attributes);
    if (!env_attrs)
      spdlog::debug("pid {}: OTEL_RESOURCE_ATTRIBUTES is malformed, ignored as the OTel spec says",
                    facts.pid);
  }

  std::string_view exe_name = ExecutableName(facts);
  if (facts.otel_service_name && !facts.otel_service_name->empty()) {
    r.service_name = ToValidUtf8(*facts.otel_service_name, kMaxNameBytes);
  } else if (std::string_view env_name = env_attrs ? EnvServiceName(*env_attrs) : std::string_view();
             !env_name.empty()) {
    r.service_name = env_name;
  } else if (enrichment != nullptr && !enrichment->default_service_name.empty()) {
    r.service_name = ToValidUtf8(enrichment->default_service_name, kMaxNameBytes);
  } else if (!exe_name.empty()) {
    r.service_name = ToValidUtf8(exe_name, kMaxNameBytes);
  } else if (!comm_hint.empty()) {
    r.service_name = std::string(sc::kUnknownService) + ":" + ToValidUtf8(comm_hint, kMaxNameBytes);
  } else {
    r.service_name = std::string(sc::kUnknownService);
  }

  std::vector<Attribute>& a = r.attributes;
  a.reserve(16);
  a.push_back({std::string(sc::kServiceName), r.service_name});
  if (facts.start_time_ticks) {
    std::string name = std::string(host_name) + "/" + std::to_string(facts.pid) + "/" +
                       std::to_string(*facts.start_time_ticks);
    a.push_back({std::string(sc::kServiceInstanceId), UuidV5(kServiceInstanceIdNamespace, name)});
  }
  a.push_back({std::string(sc::kProcessPid), static_cast<int64_t>(facts.pid)});
  if (!exe_name.empty())
    a.push_back({std::string(sc::kProcessExecutableName), ToValidUtf8(exe_name, kMaxNameBytes)});
  if (!facts.exe_path.empty())
    a.push_back({std::string(sc::kProcessExecutablePath), ToValidUtf8(facts.exe_path, 4096)});
  if (!host_name.empty()) a.push_back({std::string(sc::kHostName), std::string(host_name)});
  a.push_back({std::string(sc::kTelemetrySdkName), std::string("zerotrace")});
  a.push_back({std::string(sc::kTelemetrySdkLanguage), std::string("cpp")});
  a.push_back({std::string(sc::kTelemetrySdkVersion), std::string(ZEROTRACE_VERSION)});
  a.push_back({std::string(sc::kTelemetryDistroName), std::string("zerotrace")});
  a.push_back({std::string(sc::kTelemetryDistroVersion), std::string(ZEROTRACE_VERSION)});
  if (enrichment != nullptr) {
    for (const Attribute& extra : enrichment->attributes)
      if (!IsProtectedKey(extra.key)) Upsert(a, extra.key, extra.value);
  }

  if (env_attrs) {
    for (auto& [key, value] : *env_attrs)
      if (!IsProtectedKey(key)) Upsert(a, std::move(key), std::move(value));
  }
  for (const auto& [key, value] : agent_overrides.attributes)
    if (!IsProtectedKey(key)) Upsert(a, key, value);
  std::string_view agent_name = agent_overrides.service_name;
  if (agent_name.empty()) agent_name = EnvServiceName(agent_overrides.attributes);
  if (!agent_name.empty()) {
    r.service_name = ToValidUtf8(agent_name, kMaxNameBytes);
    Upsert(a, std::string(sc::kServiceName), r.service_name);
  }
  return r;
}

}  // namespace zerotrace
