// What the agent keeps of one pod: enough to describe the processes it runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zerotrace::kubernetes {

// Kinds of workload with an OTel k8s.<kind>.name attribute. A pod owned by
// something else keeps its owner's kind as given; one with no owner (or a
// static pod, owned by its Node) is its own workload, kind "Pod".
inline constexpr std::string_view kKindPod = "Pod";
inline constexpr std::string_view kKindDeployment = "Deployment";
inline constexpr std::string_view kKindReplicaSet = "ReplicaSet";
inline constexpr std::string_view kKindStatefulSet = "StatefulSet";
inline constexpr std::string_view kKindDaemonSet = "DaemonSet";
inline constexpr std::string_view kKindJob = "Job";
inline constexpr std::string_view kKindCronJob = "CronJob";

struct Workload {
  std::string kind;
  std::string name;
  // The ReplicaSet between a Deployment and its pods (k8s.replicaset.name).
  std::string replicaset_name;

  bool operator==(const Workload&) const = default;
};

struct PodMetadata {
  std::string namespace_name;
  std::string pod_name;
  std::string pod_uid;
  std::string node_name;
  // A static pod's cgroup is named after its config hash, not after the uid
  // of the mirror pod the API shows (annotation kubernetes.io/config.mirror).
  std::string static_pod_hash;
  Workload workload;

  bool operator==(const PodMetadata&) const = default;
};

struct PodContainer {
  std::string container_id;  // without the "containerd://" scheme, lowercase
  std::string name;

  bool operator==(const PodContainer&) const = default;
};

// One pod as the API reports it: its metadata and its containers that have
// an id (started at least once): regular, init and ephemeral.
struct PodRecord {
  PodMetadata metadata;
  std::vector<PodContainer> containers;

  bool operator==(const PodRecord&) const = default;
};

}  // namespace zerotrace::kubernetes
