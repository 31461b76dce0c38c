#include "agent/kubernetes/pod_json.h"

#include "agent/kubernetes/workload.h"
#include "base/text.h"

namespace zerotrace::kubernetes {
namespace {

using nlohmann::json;

const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string StringAt(const json& object, std::string_view key) {
  const json* v = Member(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<OwnerReference> ControllerOwner(const json& metadata) {
  const json* owners = Member(metadata, "ownerReferences");
  if (owners == nullptr || !owners->is_array()) return std::nullopt;
  std::optional<OwnerReference> first;
  for (const json& owner : *owners) {
    OwnerReference ref{StringAt(owner, "kind"), StringAt(owner, "name")};
    if (ref.kind.empty() || ref.name.empty()) continue;
    const json* controller = Member(owner, "controller");
    if (controller != nullptr && controller->is_boolean() && controller->get<bool>()) return ref;
    if (!first) first = std::move(ref);
  }
  return first;
}

void AddContainers(const json& status, std::string_view key, std::vector<PodContainer>& out) {
  const json* statuses = Member(status, key);
  if (statuses == nullptr || !statuses->is_array()) return;
  for (const json& s : *statuses) {
    std::string id = ContainerIdFromStatus(StringAt(s, "containerID"));
    if (id.empty()) continue;
    out.push_back({std::move(id), StringAt(s, "name")});
  }
}

}  // namespace

std::string ContainerIdFromStatus(std::string_view container_id) {
  if (size_t scheme = container_id.find("://"); scheme != std::string_view::npos)
    container_id.remove_prefix(scheme + 3);
  return ToLowerAscii(container_id);
}

std::string ResourceVersionOf(const json& object) {
  const json* metadata = Member(object, "metadata");
  return metadata == nullptr ? std::string() : StringAt(*metadata, "resourceVersion");
}

std::optional<PodRecord> ParsePod(const json& pod) {
  const json* metadata = Member(pod, "metadata");
  if (metadata == nullptr || !metadata->is_object()) return std::nullopt;
  PodRecord record;
  PodMetadata& m = record.metadata;
  m.pod_uid = StringAt(*metadata, "uid");
  m.pod_name = StringAt(*metadata, "name");
  m.namespace_name = StringAt(*metadata, "namespace");
  if (m.pod_uid.empty() || m.pod_name.empty() || m.namespace_name.empty()) return std::nullopt;
  if (const json* spec = Member(pod, "spec")) m.node_name = StringAt(*spec, "nodeName");
  if (const json* annotations = Member(*metadata, "annotations"))
    m.static_pod_hash = StringAt(*annotations, "kubernetes.io/config.mirror");
  std::string template_hash;
  if (const json* labels = Member(*metadata, "labels"))
    template_hash = StringAt(*labels, "pod-template-hash");
  m.workload = ResolveWorkload(m.pod_name, ControllerOwner(*metadata), template_hash);

  if (const json* status = Member(pod, "status")) {
    AddContainers(*status, "containerStatuses", record.containers);
    AddContainers(*status, "initContainerStatuses", record.containers);
    AddContainers(*status, "ephemeralContainerStatuses", record.containers);
  }
  return record;
}

}  // namespace zerotrace::kubernetes
