// Which workload a pod belongs to, from its controller owner reference.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/kubernetes/pod_metadata.h"

namespace zerotrace::kubernetes {

struct OwnerReference {
  std::string kind;
  std::string name;
};

// `owner`: the pod's controller (or first) owner reference; nullopt: none.
// `pod_template_hash`: the pod's "pod-template-hash" label, empty if absent.
//
// ReplicaSet "web-5d4f8c7b9" with hash "5d4f8c7b9" is Deployment "web" (the
// Deployment controller names its ReplicaSets "<deployment>-<hash>"); without
// the label, or when the name does not end in it, the ReplicaSet is the
// workload. A Job stays a Job: that a CronJob made it shows only on the Job
// object (its owner reference), not on the pod, and guessing from a numeric
// name suffix would mislabel hand-made Jobs. A Node owner means a static
// pod: the pod is its own workload, as is a pod without an owner.
Workload ResolveWorkload(std::string_view pod_name, const std::optional<OwnerReference>& owner,
                         std::string_view pod_template_hash);

}  // namespace zerotrace::kubernetes
