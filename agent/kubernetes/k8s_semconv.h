// OpenTelemetry resource attribute keys for Kubernetes and containers
// (semantic conventions: k8s.*, container.*).
#pragma once

#include <string_view>

namespace zerotrace::kubernetes::semconv {

inline constexpr std::string_view kK8sNamespaceName = "k8s.namespace.name";
inline constexpr std::string_view kK8sPodName = "k8s.pod.name";
inline constexpr std::string_view kK8sPodUid = "k8s.pod.uid";
inline constexpr std::string_view kK8sContainerName = "k8s.container.name";
inline constexpr std::string_view kK8sNodeName = "k8s.node.name";
inline constexpr std::string_view kK8sDeploymentName = "k8s.deployment.name";
inline constexpr std::string_view kK8sReplicaSetName = "k8s.replicaset.name";
inline constexpr std::string_view kK8sStatefulSetName = "k8s.statefulset.name";
inline constexpr std::string_view kK8sDaemonSetName = "k8s.daemonset.name";
inline constexpr std::string_view kK8sJobName = "k8s.job.name";
inline constexpr std::string_view kK8sCronJobName = "k8s.cronjob.name";
inline constexpr std::string_view kContainerId = "container.id";

}  // namespace zerotrace::kubernetes::semconv
