#include "agent/process/process_registry.h"

#include <unistd.h>

#include <utility>

#include "agent/process/process_facts.h"
#include "agent/process/process_resource.h"

namespace zerotrace {
namespace {

std::string LocalHostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

}  // namespace

ProcessRegistry::ProcessRegistry(ProcessRegistryOptions options)
    : proc_(std::move(options.proc_root)),
      host_name_(options.host_name.empty() ? LocalHostName() : std::move(options.host_name)),
      max_processes_(options.max_processes == 0 ? 1 : options.max_processes),
      overrides_(std::move(options.overrides)) {
  entries_.reserve(std::min<size_t>(max_processes_, 1024));
}

ProcessRegistry::Entry* ProcessRegistry::Lookup(uint32_t pid, std::string_view comm_hint) {
  if (auto it = entries_.find(pid); it != entries_.end()) {
    // Most recently used goes to the back; splice moves the node, no allocation.
    lru_.splice(lru_.end(), lru_, it->second.lru_position);
    return &it->second;
  }
  ProcessFacts facts = ReadProcessFacts(proc_, pid);
  if (!facts.found) return nullptr;

  if (entries_.size() >= max_processes_) {
    entries_.erase(lru_.front());
    lru_.pop_front();
  }
  Entry entry;
  entry.resource = std::make_shared<const Resource>(BuildProcessResource(facts, host_name_, comm_hint, overrides_));
  entry.exe_name = std::string(ExecutableName(facts));
  entry.exe_path = std::move(facts.exe_path);
  entry.lru_position = lru_.insert(lru_.end(), pid);
  return &entries_.emplace(pid, std::move(entry)).first->second;
}

std::shared_ptr<const Resource> ProcessRegistry::ResourceFor(uint32_t pid, std::string_view comm_hint) {
  if (Entry* e = Lookup(pid, comm_hint)) return e->resource;
  ProcessFacts gone;
  gone.pid = pid;
  return std::make_shared<const Resource>(BuildProcessResource(gone, host_name_, comm_hint, overrides_));
}

void ProcessRegistry::Forget(uint32_t pid) {
  auto it = entries_.find(pid);
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru_position);
  entries_.erase(it);
}

bool ProcessRegistry::ExecutableMatches(uint32_t pid, const std::regex& pattern) {
  Entry* e = Lookup(pid, {});
  if (e == nullptr) return false;
  if (!e->exe_name.empty() && std::regex_search(e->exe_name, pattern)) return true;
  return !e->exe_path.empty() && std::regex_search(e->exe_path, pattern);
}

}  // namespace zerotrace
