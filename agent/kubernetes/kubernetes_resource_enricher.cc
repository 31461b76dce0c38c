#include "agent/kubernetes/kubernetes_resource_enricher.h"

#include "agent/kubernetes/cgroup_container.h"
#include "agent/kubernetes/k8s_semconv.h"

namespace zerotrace::kubernetes {
namespace {

namespace sc = semconv;

void Add(ResourceEnrichment& out, std::string_view key, const std::string& value) {
  if (!value.empty()) out.attributes.push_back({std::string(key), value});
}

std::string_view WorkloadKey(std::string_view kind) {
  if (kind == kKindDeployment) return sc::kK8sDeploymentName;
  if (kind == kKindReplicaSet) return sc::kK8sReplicaSetName;
  if (kind == kKindStatefulSet) return sc::kK8sStatefulSetName;
  if (kind == kKindDaemonSet) return sc::kK8sDaemonSetName;
  if (kind == kKindJob) return sc::kK8sJobName;
  if (kind == kKindCronJob) return sc::kK8sCronJobName;
  return {};  // a Pod, or a kind without a semantic convention
}

void AddPod(ResourceEnrichment& out, const PodMetadata& pod) {
  Add(out, sc::kK8sNamespaceName, pod.namespace_name);
  Add(out, sc::kK8sPodName, pod.pod_name);
  Add(out, sc::kK8sPodUid, pod.pod_uid);
  const Workload& w = pod.workload;
  if (std::string_view key = WorkloadKey(w.kind); !key.empty()) Add(out, key, w.name);
  if (w.kind != kKindReplicaSet) Add(out, sc::kK8sReplicaSetName, w.replicaset_name);
  out.default_service_name = w.name;
}

}  // namespace

KubernetesResourceEnricher::KubernetesResourceEnricher(std::shared_ptr<const PodCache> pods,
                                                       std::string node_name)
    : pods_(std::move(pods)), node_name_(std::move(node_name)) {}

ResourceEnrichment KubernetesResourceEnricher::Enrich(const ProcessFacts& facts) const {
  ResourceEnrichment out;
  Add(out, sc::kK8sNodeName, node_name_);
  CgroupContainer where = ParseCgroupContainer(facts.cgroup);
  if (where.container_id.empty()) return out;
  Add(out, sc::kContainerId, where.container_id);

  if (std::optional<ContainerMatch> match = pods_->FindContainer(where.container_id)) {
    AddPod(out, *match->pod);
    Add(out, sc::kK8sContainerName, match->container_name);
    return out;
  }
  // The pod may be known before its container's status names the id: give
  // what is known, and ask again later for the container's name.
  if (!where.pod_uid.empty()) {
    if (std::shared_ptr<const PodMetadata> pod = pods_->FindPod(where.pod_uid)) AddPod(out, *pod);
  }
  out.pending = true;
  return out;
}

}  // namespace zerotrace::kubernetes
