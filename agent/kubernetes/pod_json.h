// A Pod object of the Kubernetes API (JSON, as list items and watch events
// carry it) reduced to the PodRecord the agent keeps.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "agent/kubernetes/pod_metadata.h"

namespace zerotrace::kubernetes {

// nullopt when the object lacks metadata.uid, .name or .namespace, or is not
// an object. Fields of the wrong type are treated as absent. Containers
// without a containerID (not started yet) are left out.
std::optional<PodRecord> ParsePod(const nlohmann::json& pod);

// "containerd://<id>", "cri-o://<id>", "docker://<id>" → "<id>" lowercased;
// a bare id is kept. Empty when there is no id.
std::string ContainerIdFromStatus(std::string_view container_id);

// metadata.resourceVersion of any API object; empty when absent.
std::string ResourceVersionOf(const nlohmann::json& object);

}  // namespace zerotrace::kubernetes
