// Kubernetes metadata for traced processes, started once by main(): a pod
// cache kept current by a watcher thread, and the enricher that the process
// registry asks (ProcessRegistryOptions::enricher).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/kubernetes/kubernetes_settings.h"
#include "agent/kubernetes/pod_cache.h"
#include "agent/kubernetes/pod_watcher.h"
#include "agent/process/resource_enricher.h"

namespace zerotrace::kubernetes {

class KubernetesMetadata {
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

 public:
  // Starts watching the node's pods. nullptr with `*error` set to one line
  // when the settings cannot work (disabled, no URL or node, the token or CA
  // file unreadable). The API being unreachable or refusing is not an error
  // here: the watcher keeps trying and says why in the log.
  static std::unique_ptr<KubernetesMetadata> Start(const KubernetesSettings& settings, std::string* error);

  ~KubernetesMetadata();  // stops the watcher thread
  KubernetesMetadata(const KubernetesMetadata&) = delete;
  KubernetesMetadata& operator=(const KubernetesMetadata&) = delete;

  // For ProcessRegistryOptions::enricher; stays valid after this object dies.
  std::shared_ptr<const ResourceEnricher> enricher() const { return enricher_; }
  const PodCache& pods() const { return *pods_; }
  PodWatcherStats stats() const { return watcher_->stats(); }
  // True once the first pod list arrived (waits at most `timeout`): main()
  // may wait briefly so the first spans already carry their pods.
  bool WaitUntilSynced(std::chrono::milliseconds timeout) const { return watcher_->WaitUntilSynced(timeout); }

  explicit KubernetesMetadata(PrivateTag) {}  // only through Start()

 private:
  std::shared_ptr<PodCache> pods_;
  std::shared_ptr<const ResourceEnricher> enricher_;
  std::unique_ptr<PodWatcher> watcher_;
};

}  // namespace zerotrace::kubernetes
