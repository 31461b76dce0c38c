#include "agent/kubernetes/pod_json.h"

#include <gtest/gtest.h>

#include "agent/kubernetes/watch_event.h"
#include "agent/kubernetes/workload.h"
#include "pod_fixtures.h"

namespace zerotrace::kubernetes {
namespace {

using nlohmann::json;
using testing::FixturePod;
using testing::MakePod;

// An item of `kubectl get pods -o json` for a Deployment's pod with an init
// container, trimmed.
constexpr const char* kRecordedPod = R"({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {
    "creationTimestamp": "2024-05-01T10:00:00Z",
    "generateName": "checkout-7c9f6d8b5d-",
    "labels": {"app": "checkout", "pod-template-hash": "7c9f6d8b5d"},
    "name": "checkout-7c9f6d8b5d-x2x7q",
    "namespace": "shop",
    "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                         "kind": "ReplicaSet", "name": "checkout-7c9f6d8b5d",
                         "uid": "5b1f0a3c-7e2d-4f6a-9b8c-0d1e2f3a4b5c"}],
    "resourceVersion": "482913",
    "uid": "0f9a7c1e-3b2d-4c5e-9f8a-1b2c3d4e5f60"
  },
  "spec": {
    "containers": [{"image": "shop/checkout:2.3", "name": "checkout"},
                   {"image": "envoyproxy/envoy:v1.30", "name": "envoy"}],
    "initContainers": [{"image": "busybox", "name": "migrate"}],
    "nodeName": "node-a"
  },
  "status": {
    "containerStatuses": [
      {"containerID": "containerd://3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899",
       "image": "shop/checkout:2.3", "name": "checkout", "ready": true, "restartCount": 0,
       "started": true, "state": {"running": {"startedAt": "2024-05-01T10:00:07Z"}}},
      {"image": "envoyproxy/envoy:v1.30", "name": "envoy", "ready": false, "restartCount": 0,
       "started": false, "state": {"waiting": {"reason": "ContainerCreating"}}}
    ],
    "initContainerStatuses": [
      {"containerID": "cri-o://AAAA5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899",
       "image": "busybox", "name": "migrate", "ready": false, "restartCount": 0,
       "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
    ],
    "phase": "Running",
    "podIP": "10.244.1.5"
  }
})";

TEST(PodJson, RecordedPodGivesMetadataWorkloadAndStartedContainers) {
  std::optional<PodRecord> pod = ParsePod(json::parse(kRecordedPod));
  ASSERT_TRUE(pod.has_value());
  EXPECT_EQ(pod->metadata.namespace_name, "shop");
  EXPECT_EQ(pod->metadata.pod_name, "checkout-7c9f6d8b5d-x2x7q");
  EXPECT_EQ(pod->metadata.pod_uid, "0f9a7c1e-3b2d-4c5e-9f8a-1b2c3d4e5f60");
  EXPECT_EQ(pod->metadata.node_name, "node-a");
  EXPECT_EQ(pod->metadata.workload.kind, "Deployment");
  EXPECT_EQ(pod->metadata.workload.name, "checkout");
  EXPECT_EQ(pod->metadata.workload.replicaset_name, "checkout-7c9f6d8b5d");
  ASSERT_EQ(pod->containers.size(), 2u);  // envoy has no id yet
  EXPECT_EQ(pod->containers[0].name, "checkout");
  EXPECT_EQ(pod->containers[0].container_id,
            "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899");
  EXPECT_EQ(pod->containers[1].name, "migrate");
  EXPECT_EQ(pod->containers[1].container_id,
            "aaaa5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899");
}

TEST(PodJson, PodWithoutUidOrNameIsRejected) {
  json pod = json::parse(kRecordedPod);
  pod["metadata"].erase("uid");
  EXPECT_FALSE(ParsePod(pod).has_value());
  pod = json::parse(kRecordedPod);
  pod["metadata"]["name"] = 42;  // wrong type counts as absent
  EXPECT_FALSE(ParsePod(pod).has_value());
  EXPECT_FALSE(ParsePod(json::array()).has_value());
  EXPECT_FALSE(ParsePod(json::parse(R"({"metadata": "x"})")).has_value());
}

TEST(PodJson, WrongTypesElsewhereAreIgnoredNotFatal) {
  json pod = json::parse(kRecordedPod);
  pod["status"]["containerStatuses"] = "oops";
  pod["metadata"]["labels"] = json::array();
  pod["metadata"]["ownerReferences"][0]["controller"] = "yes";
  std::optional<PodRecord> parsed = ParsePod(pod);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->containers.size(), 1u);  // the init container only
  // Without the label the ReplicaSet cannot be tied to a Deployment.
  EXPECT_EQ(parsed->metadata.workload.kind, "ReplicaSet");
}

TEST(PodJson, StaticPodKeepsItsConfigHash) {
  json pod = json::parse(kRecordedPod);
  pod["metadata"]["annotations"] = {{"kubernetes.io/config.mirror", "6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d"}};
  pod["metadata"]["ownerReferences"] =
      json::array({{{"kind", "Node"}, {"name", "node-a"}, {"controller", true}}});
  std::optional<PodRecord> parsed = ParsePod(pod);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->metadata.static_pod_hash, "6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d");
  EXPECT_EQ(parsed->metadata.workload.kind, "Pod");
  EXPECT_EQ(parsed->metadata.workload.name, "checkout-7c9f6d8b5d-x2x7q");
}

TEST(PodJson, ContainerIdSchemes) {
  EXPECT_EQ(ContainerIdFromStatus("containerd://abc"), "abc");
  EXPECT_EQ(ContainerIdFromStatus("cri-o://ABC"), "abc");
  EXPECT_EQ(ContainerIdFromStatus("docker://0123"), "0123");
  EXPECT_EQ(ContainerIdFromStatus("0123"), "0123");
  EXPECT_EQ(ContainerIdFromStatus(""), "");
}

TEST(Workload, DeploymentFromReplicaSetAndTemplateHash) {
  Workload w =
      ResolveWorkload("web-5d4f8c7b9-abcde", OwnerReference{"ReplicaSet", "web-5d4f8c7b9"}, "5d4f8c7b9");
  EXPECT_EQ(w.kind, "Deployment");
  EXPECT_EQ(w.name, "web");
  EXPECT_EQ(w.replicaset_name, "web-5d4f8c7b9");
  // Deployment names may hold dashes themselves.
  w = ResolveWorkload("p", OwnerReference{"ReplicaSet", "my-web-app-6b8f9"}, "6b8f9");
  EXPECT_EQ(w.name, "my-web-app");
}

TEST(Workload, ReplicaSetStaysWhenTheHashDoesNotFit) {
  for (const char* hash : {"", "zzz", "web-5d4f8c7b9", "4f8c7b9x"}) {
    Workload w = ResolveWorkload("p", OwnerReference{"ReplicaSet", "web-5d4f8c7b9"}, hash);
    EXPECT_EQ(w.kind, "ReplicaSet") << hash;
    EXPECT_EQ(w.name, "web-5d4f8c7b9") << hash;
  }
  // The hash must follow a dash: "web5d4f8c7b9" is not "web" + "-" + hash.
  EXPECT_EQ(ResolveWorkload("p", OwnerReference{"ReplicaSet", "web5d4f8c7b9"}, "5d4f8c7b9").kind,
            "ReplicaSet");
}

TEST(Workload, OtherOwnersAndNone) {
  EXPECT_EQ(ResolveWorkload("db-0", OwnerReference{"StatefulSet", "db"}, "").kind, "StatefulSet");
  EXPECT_EQ(ResolveWorkload("db-0", OwnerReference{"StatefulSet", "db"}, "").name, "db");
  EXPECT_EQ(ResolveWorkload("fluent-x", OwnerReference{"DaemonSet", "fluent"}, "").kind, "DaemonSet");
  Workload job = ResolveWorkload("backup-28577340-xk2l9", OwnerReference{"Job", "backup-28577340"}, "");
  EXPECT_EQ(job.kind, "Job");  // a CronJob cannot be told from the pod alone
  EXPECT_EQ(job.name, "backup-28577340");
  Workload bare = ResolveWorkload("debug", std::nullopt, "");
  EXPECT_EQ(bare.kind, "Pod");
  EXPECT_EQ(bare.name, "debug");
  Workload custom = ResolveWorkload("wf-1", OwnerReference{"Workflow", "nightly"}, "");
  EXPECT_EQ(custom.kind, "Workflow");
  EXPECT_EQ(custom.name, "nightly");
}

TEST(PodJson, ControllerOwnerIsPreferredOverOthers) {
  json pod = MakePod(FixturePod("db-0", "u1", {}).Owner("StatefulSet", "db"));
  pod["metadata"]["ownerReferences"].insert(
      pod["metadata"]["ownerReferences"].begin(),
      {{"kind", "ConfigMap"}, {"name", "not-it"}, {"controller", false}});
  EXPECT_EQ(ParsePod(pod)->metadata.workload.name, "db");
}

TEST(WatchEvent, TypesAndMalformedLines) {
  auto added =
      ParseWatchEvent(R"({"type":"ADDED","object":{"kind":"Pod","metadata":{"resourceVersion":"7"}}})");
  ASSERT_TRUE(added.has_value());
  EXPECT_EQ(added->type, WatchEventType::kAdded);
  EXPECT_EQ(ResourceVersionOf(added->object), "7");
  EXPECT_EQ(
      ParseWatchEvent(R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"9"}}})")
          ->type,
      WatchEventType::kBookmark);
  EXPECT_FALSE(ParseWatchEvent("{not json").has_value());
  EXPECT_FALSE(ParseWatchEvent(R"({"type":"ADDED"})").has_value());
  EXPECT_FALSE(ParseWatchEvent(R"({"type":"RENAMED","object":{}})").has_value());
  EXPECT_FALSE(ParseWatchEvent(R"(["ADDED"])").has_value());
  auto error = ParseWatchEvent(
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)j"
      R"j("message":"too old resource version: 12 (340)","reason":"Expired","code":410}})j");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, WatchEventType::kError);
  ApiStatus status = ParseApiStatus(error->object);
  EXPECT_EQ(status.code, 410);
  EXPECT_EQ(status.reason, "Expired");
  EXPECT_EQ(status.message, "too old resource version: 12 (340)");
  EXPECT_EQ(ParseApiStatusBody("<html>forbidden</html>").code, 0);
}

}  // namespace
}  // namespace zerotrace::kubernetes
