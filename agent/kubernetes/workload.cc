#include "agent/kubernetes/workload.h"

namespace zerotrace::kubernetes {

Workload ResolveWorkload(std::string_view pod_name, const std::optional<OwnerReference>& owner,
                         std::string_view pod_template_hash) {
  if (!owner || owner->name.empty() || owner->kind.empty() || owner->kind == "Node")
    return {std::string(kKindPod), std::string(pod_name), {}};
  if (owner->kind == kKindReplicaSet) {
    const std::string& rs = owner->name;
    if (!pod_template_hash.empty() && rs.size() > pod_template_hash.size() + 1 &&
        std::string_view(rs).ends_with(pod_template_hash) &&
        rs[rs.size() - pod_template_hash.size() - 1] == '-') {
      return {std::string(kKindDeployment), rs.substr(0, rs.size() - pod_template_hash.size() - 1), rs};
    }
    return {std::string(kKindReplicaSet), rs, rs};
  }
  return {owner->kind, owner->name, {}};
}

}  // namespace zerotrace::kubernetes
