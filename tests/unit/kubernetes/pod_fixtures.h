// Pods shaped like what the Kubernetes API returns (trimmed of fields the
// agent ignores, but keeping enough of them that a parser looking at the
// wrong place would fail): metadata with labels and ownerReferences,
// spec.nodeName, status.containerStatuses[].containerID.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zerotrace::kubernetes::testing {

struct FixtureContainer {
  FixtureContainer(std::string name, std::string container_id, bool init = false)
      : name(std::move(name)), container_id(std::move(container_id)), init(init) {}
  std::string name;
  std::string container_id;  // with its runtime scheme; empty: not started yet
  bool init = false;
};

struct FixturePod {
  FixturePod(std::string name, std::string uid, std::vector<FixtureContainer> containers)
      : name(std::move(name)), uid(std::move(uid)), containers(std::move(containers)) {}
  FixturePod& Owner(std::string kind, std::string owner, std::string template_hash = {}) {
    owner_kind = std::move(kind);
    owner_name = std::move(owner);
    pod_template_hash = std::move(template_hash);
    return *this;
  }
  FixturePod& OnNode(std::string n) {
    node = std::move(n);
    return *this;
  }

  std::string namespace_name = "shop";
  std::string name;
  std::string uid;
  std::string node = "node-a";
  std::string owner_kind;  // empty: no owner
  std::string owner_name;
  std::string pod_template_hash;  // label, empty: none
  std::vector<FixtureContainer> containers;
};

inline nlohmann::json MakePod(const FixturePod& p) {
  using nlohmann::json;
  json metadata = {
      {"name", p.name},
      {"namespace", p.namespace_name},
      {"uid", p.uid},
      {"resourceVersion", "1"},
      {"creationTimestamp", "2024-05-01T10:00:00Z"},
      {"labels", {{"app", "web"}}},
      {"annotations", {{"kubectl.kubernetes.io/restartedAt", "2024-05-01T09:59:00Z"}}},
      {"managedFields", json::array({{{"manager", "kube-controller-manager"}, {"operation", "Update"}}})},
  };
  if (!p.pod_template_hash.empty()) metadata["labels"]["pod-template-hash"] = p.pod_template_hash;
  if (!p.owner_kind.empty()) {
    metadata["ownerReferences"] = json::array({{{"apiVersion", "apps/v1"},
                                                {"kind", p.owner_kind},
                                                {"name", p.owner_name},
                                                {"uid", "9e8d7c6b-0000-4000-8000-000000000001"},
                                                {"controller", true},
                                                {"blockOwnerDeletion", true}}});
  }
  json spec_containers = json::array();
  json statuses = json::array();
  json init_statuses = json::array();
  for (const FixtureContainer& c : p.containers) {
    if (!c.init)
      spec_containers.push_back({{"name", c.name}, {"image", "registry.example/" + c.name + ":1.0"}});
    json status = {{"name", c.name},
                   {"ready", !c.container_id.empty()},
                   {"restartCount", 0},
                   {"image", "registry.example/" + c.name + ":1.0"},
                   {"imageID", "registry.example/" + c.name + "@sha256:00"},
                   {"started", !c.container_id.empty()}};
    if (!c.container_id.empty()) {
      status["containerID"] = c.container_id;
      status["state"] = {{"running", {{"startedAt", "2024-05-01T10:00:05Z"}}}};
    } else {
      status["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
    }
    (c.init ? init_statuses : statuses).push_back(status);
  }
  json pod = {
      {"kind", "Pod"},
      {"apiVersion", "v1"},
      {"metadata", metadata},
      {"spec", {{"nodeName", p.node}, {"containers", spec_containers}, {"serviceAccountName", "default"}}},
      {"status",
       {{"phase", "Running"},
        {"hostIP", "192.168.49.2"},
        {"podIP", "10.244.1.5"},
        {"containerStatuses", statuses}}},
  };
  if (!init_statuses.empty()) pod["status"]["initContainerStatuses"] = init_statuses;
  return pod;
}

inline std::string ContainerdId(char digit) { return "containerd://" + std::string(64, digit); }

}  // namespace zerotrace::kubernetes::testing
