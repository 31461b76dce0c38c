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

bool SameEnrichment(const ResourceEnrichment& a, const ResourceEnrichment& b) {
  if (a.default_service_name != b.default_service_name || a.attributes.size() != b.attributes.size())
    return false;
  for (size_t i = 0; i < a.attributes.size(); ++i) {
    if (a.attributes[i].key != b.attributes[i].key || a.attributes[i].value != b.attributes[i].value)
      return false;
  }
  return true;
}

}  // namespace

ProcessRegistry::ProcessRegistry(ProcessRegistryOptions options)
    : proc_(std::move(options.proc_root)),
      host_name_(options.host_name.empty() ? LocalHostName() : std::move(options.host_name)),
      max_processes_(options.max_processes == 0 ? 1 : options.max_processes),
      overrides_(std::move(options.overrides)),
      enricher_(std::move(options.enricher)) {
  entries_.reserve(std::min<size_t>(max_processes_, 1024));
}

ProcessRegistry::Entry* ProcessRegistry::Lookup(uint32_t pid, std::string_view comm_hint) {
  if (auto it = entries_.find(pid); it != entries_.end()) {
    // Most recently used goes to the back; splice moves the node, no allocation.
    lru_.splice(lru_.end(), lru_, it->second.lru_position);
    if (it->second.pending) RetryPendingEnrichment(it->second);
    return &it->second;
  }
  ProcessFacts facts = ReadProcessFacts(proc_, pid, {.read_cgroup = enricher_ != nullptr});
  if (!facts.found) return nullptr;

  if (entries_.size() >= max_processes_) {
    entries_.erase(lru_.front());
    lru_.pop_front();
  }
  Entry entry;
  entry.exe_name = std::string(ExecutableName(facts));
  entry.exe_path = facts.exe_path;
  BuildResource(entry, std::move(facts), comm_hint);
  entry.lru_position = lru_.insert(lru_.end(), pid);
  return &entries_.emplace(pid, std::move(entry)).first->second;
}

void ProcessRegistry::BuildResource(Entry& entry, ProcessFacts facts, std::string_view comm_hint) {
  if (enricher_ == nullptr) {
    entry.resource = std::make_shared<const Resource>(
        BuildProcessResource(facts, host_name_, comm_hint, overrides_));
    return;
  }
  // Read the generation before asking: a change landing in between then
  // shows as a moved generation on the next lookup rather than being missed.
  uint64_t generation = enricher_->generation();
  ResourceEnrichment enrichment = enricher_->Enrich(facts);
  entry.resource = std::make_shared<const Resource>(
      BuildProcessResource(facts, host_name_, comm_hint, overrides_, &enrichment));
  if (!enrichment.pending) return;
  entry.pending = std::make_unique<PendingEnrichment>(PendingEnrichment{
      std::move(facts), std::string(comm_hint), generation, std::move(enrichment)});
}

void ProcessRegistry::RetryPendingEnrichment(Entry& entry) {
  PendingEnrichment& pending = *entry.pending;
  uint64_t generation = enricher_->generation();
  if (generation == pending.generation) return;
  pending.generation = generation;
  ResourceEnrichment enrichment = enricher_->Enrich(pending.facts);
  // Unchanged and still provisional: keep the resource (and its identity).
  if (enrichment.pending && SameEnrichment(enrichment, pending.answer)) return;
  entry.resource = std::make_shared<const Resource>(BuildProcessResource(
      pending.facts, host_name_, pending.comm_hint, overrides_, &enrichment));
  if (enrichment.pending) {
    pending.answer = std::move(enrichment);
  } else {
    entry.pending.reset();
  }
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

void ProcessRegistry::Remember(uint32_t pid, std::shared_ptr<const Resource> resource) {
  Forget(pid);
  if (entries_.size() >= max_processes_) {
    entries_.erase(lru_.front());
    lru_.pop_front();
  }
  Entry entry;
  entry.resource = std::move(resource);
  entry.lru_position = lru_.insert(lru_.end(), pid);
  entries_.emplace(pid, std::move(entry));
}

bool ProcessRegistry::ExecutableMatches(uint32_t pid, const std::regex& pattern) {
  Entry* e = Lookup(pid, {});
  if (e == nullptr) return false;
  if (!e->exe_name.empty() && std::regex_search(e->exe_name, pattern)) return true;
  return !e->exe_path.empty() && std::regex_search(e->exe_path, pattern);
}

}  // namespace zerotrace
