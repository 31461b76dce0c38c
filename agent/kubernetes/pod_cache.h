// The node's pods, indexed by container id and by pod uid. Written by the
// pod watcher's thread, read by the process registry's; thread-safe.
//
// Bounded by what the API reports for this node: a (re)list replaces the
// whole content and a deleted pod takes its containers with it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/kubernetes/pod_metadata.h"

namespace zerotrace::kubernetes {

struct ContainerMatch {
  std::shared_ptr<const PodMetadata> pod;
  std::string container_name;
};

class PodCache {
 public:
  // Adds the pod or replaces what was known of it (same metadata.uid).
  void Upsert(PodRecord pod);
  void Remove(std::string_view pod_uid);
  // Everything the API listed: pods not in `pods` are dropped.
  void ReplaceAll(std::vector<PodRecord> pods);

  std::optional<ContainerMatch> FindContainer(std::string_view container_id) const;
  // By metadata.uid, or by a static pod's config hash (what its cgroup shows).
  std::shared_ptr<const PodMetadata> FindPod(std::string_view pod_uid) const;

  // Moves on every change that could alter a lookup's answer; an update that
  // changes nothing the cache keeps (e.g. a readiness flip) leaves it alone.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  size_t pod_count() const;
  size_t container_count() const;

 private:
  struct PodEntry {
    std::shared_ptr<const PodMetadata> metadata;
    std::vector<PodContainer> containers;
  };

  // With mutex_ held for writing. Returns whether anything changed.
  bool UpsertLocked(PodRecord pod);
  bool RemoveLocked(const std::string& pod_uid);

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, PodEntry> pods_;                   // by uid
  std::unordered_map<std::string, std::string> uid_by_static_hash_;  // static pods
  std::unordered_map<std::string, ContainerMatch> containers_;       // by container id
  std::atomic<uint64_t> generation_{0};
};

}  // namespace zerotrace::kubernetes
