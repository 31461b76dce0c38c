// Per-process OTel resources, read from /proc once per pid and cached.
//
// Not thread-safe: the caller (the pipeline thread) owns it. The caller must
// Forget a pid when the process exits or execs (sched_process_exit / _exec):
// the cache is keyed by pid alone, so it cannot notice pid reuse or an exec
// that swapped the program by itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agent/process/proc_fs.h"
#include "agent/process/process_facts.h"
#include "agent/process/process_resource.h"
#include "agent/process/resource_enricher.h"
#include "agent/model/span.h"

namespace zerotrace {

struct ProcessRegistryOptions {
  std::string proc_root = "/proc";
  std::string host_name;  // empty: gethostname()
  size_t max_processes = 65536;
  ResourceOverrides overrides = {};  // the user's service name / attributes for every process
  // Adds e.g. Kubernetes pod metadata; null: /proc facts only. When set, the
  // registry also reads each process's /proc/PID/cgroup for it.
  std::shared_ptr<const ResourceEnricher> enricher = nullptr;
};

class ProcessRegistry {
 public:
  explicit ProcessRegistry(ProcessRegistryOptions options = {});

  // The process's resource, from the cache or read now. A process /proc no
  // longer shows gets a minimal resource (pid, "unknown_service" or
  // "unknown_service:<comm_hint>") that is not cached, so a later process
  // reusing the pid is read afresh. Never null.
  //
  // While the enricher says its answer is pending (a container whose pod is
  // not known yet), the cached resource is provisional: a later call asks the
  // enricher again, but only once its generation() has moved since the last
  // try, and builds a new resource only when the answer changed. So a process
  // in a container that never belongs to a pod costs one atomic load per
  // call, not a rebuild per span.
  std::shared_ptr<const Resource> ResourceFor(uint32_t pid, std::string_view comm_hint = {});

  void Forget(uint32_t pid);

  // Caches `resource` as pid's, final, without reading /proc (a replay of a
  // recording knows the resources of processes that are long gone).
  void Remember(uint32_t pid, std::shared_ptr<const Resource> resource);

  // For `--exe REGEX`: true when the pattern is found (std::regex_search) in
  // the executable's base name or in its full path, so "nginx" and
  // "^/usr/sbin/nginx$" both work. Falls back to comm when the exe link is
  // unreadable; false for a process /proc does not know. Caches like
  // ResourceFor; the caller should remember the answer per pid, regex
  // matching is not cheap.
  bool ExecutableMatches(uint32_t pid, const std::regex& pattern);

  size_t size() const { return entries_.size(); }
  const std::string& host_name() const { return host_name_; }

 private:
  // What a provisional resource was built from, kept to rebuild it without
  // reading /proc again.
  struct PendingEnrichment {
    ProcessFacts facts;
    std::string comm_hint;
    uint64_t generation = 0;  // the enricher's, when last asked
    ResourceEnrichment answer;  // what it said then
  };

  struct Entry {
    std::shared_ptr<const Resource> resource;
    std::string exe_path;
    std::string exe_name;
    std::list<uint32_t>::iterator lru_position;
    std::unique_ptr<PendingEnrichment> pending;  // null once final
  };

  // The cached entry, read from /proc on a miss; null when the process is gone.
  Entry* Lookup(uint32_t pid, std::string_view comm_hint);
  // Builds the resource from facts, asking the enricher if there is one;
  // leaves entry.pending set when the enricher's answer may still change.
  void BuildResource(Entry& entry, ProcessFacts facts, std::string_view comm_hint);
  void RetryPendingEnrichment(Entry& entry);

  ProcFs proc_;
  std::string host_name_;
  size_t max_processes_;
  ResourceOverrides overrides_;
  std::shared_ptr<const ResourceEnricher> enricher_;
  std::unordered_map<uint32_t, Entry> entries_;
  std::list<uint32_t> lru_;  // front: least recently used
};

}  // namespace zerotrace
