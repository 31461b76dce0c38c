// Adds the Kubernetes pod a process runs in to its resource: container id
// from /proc/PID/cgroup, then the pod cache's metadata for it.
#pragma once

#include <memory>
#include <string>

#include "agent/kubernetes/pod_cache.h"
#include "agent/process/resource_enricher.h"

namespace zerotrace::kubernetes {

// Attributes: k8s.node.name for every process (it runs on this node);
// container.id for a process in a container, known pod or not; with its pod:
// k8s.namespace.name, k8s.pod.name, k8s.pod.uid, k8s.container.name and the
// workload's k8s.<kind>.name (a Deployment's pods also get
// k8s.replicaset.name). The workload's name is the default service.name.
//
// Pending while the process is in a container the cache does not hold yet
// (its pod, or at least the container's status, has not arrived), so the
// registry asks again when the cache changes. A process outside containers
// is final at once.
class KubernetesResourceEnricher : public ResourceEnricher {
 public:
  KubernetesResourceEnricher(std::shared_ptr<const PodCache> pods, std::string node_name);

  ResourceEnrichment Enrich(const ProcessFacts& facts) const override;
  uint64_t generation() const override { return pods_->generation(); }

 private:
  std::shared_ptr<const PodCache> pods_;
  std::string node_name_;
};

}  // namespace zerotrace::kubernetes
