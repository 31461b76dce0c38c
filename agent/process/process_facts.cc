#include "agent/process/process_facts.h"

namespace zerotrace {
namespace {

// execve caps argv + envp at a quarter of the stack limit; 4 MiB covers the
// default 8 MiB stack. The OTEL variables past the cap would go unseen.
constexpr size_t kMaxEnvironBytes = 4 << 20;
constexpr size_t kMaxSmallFileBytes = 4096;
// A cgroup v1 host lists a dozen hierarchies, each with a path of a few
// hundred bytes at most.
constexpr size_t kMaxCgroupBytes = 16 << 10;

}  // namespace

ProcessFacts ReadProcessFacts(const ProcFs& proc, uint32_t pid, ProcessFactsOptions options) {
  ProcessFacts facts;
  facts.pid = pid;
  if (std::optional<std::string> exe = proc.ReadLink(pid, "exe")) {
    facts.exe_path = std::move(*exe);
    facts.found = true;
  }
  if (std::optional<std::string> comm = proc.ReadFile(pid, "comm", kMaxSmallFileBytes)) {
    while (!comm->empty() && comm->back() == '\n') comm->pop_back();
    facts.comm = std::move(*comm);
    facts.found = true;
  }
  if (std::optional<std::string> stat = proc.ReadFile(pid, "stat", kMaxSmallFileBytes)) {
    facts.start_time_ticks = ParseStatStartTime(*stat);
    facts.found = true;
  }
  if (std::optional<std::string> environ = proc.ReadFile(pid, "environ", kMaxEnvironBytes)) {
    facts.found = true;
    if (auto v = FindEnvironValue(*environ, "OTEL_SERVICE_NAME")) facts.otel_service_name.emplace(*v);
    if (auto v = FindEnvironValue(*environ, "OTEL_RESOURCE_ATTRIBUTES"))
      facts.otel_resource_attributes.emplace(*v);
  }
  if (options.read_cgroup) {
    if (std::optional<std::string> cgroup = proc.ReadFile(pid, "cgroup", kMaxCgroupBytes)) {
      facts.cgroup = std::move(*cgroup);
      facts.found = true;
    }
  }
  return facts;
}

}  // namespace zerotrace
