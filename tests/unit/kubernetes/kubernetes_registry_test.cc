// The process registry with the Kubernetes enricher, over a fake /proc tree:
// what resource a traced process in a pod ends up with.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "agent/kubernetes/kubernetes_resource_enricher.h"
#include "agent/kubernetes/pod_cache.h"
#include "agent/process/process_registry.h"

namespace zerotrace::kubernetes {
namespace {

namespace fs = std::filesystem;

const std::string kId = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
const std::string kUid = "0f9a7c1e-3b2d-4c5e-9f8a-1b2c3d4e5f60";
const std::string kPodCgroup =
    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
    "0f9a7c1e_3b2d_4c5e_9f8a_1b2c3d4e5f60.slice/cri-containerd-" +
    kId + ".scope\n";

class FakeProc {
 public:
  FakeProc() {
    std::string templ = (fs::temp_directory_path() / "zt-k8s-proc-XXXXXX").string();
    root_ = mkdtemp(templ.data());
  }
  ~FakeProc() { fs::remove_all(root_); }
  FakeProc(const FakeProc&) = delete;
  FakeProc& operator=(const FakeProc&) = delete;

  void AddProcess(uint32_t pid, const std::string& exe, const std::string& cgroup,
                  std::initializer_list<std::string> env = {}) {
    fs::path dir = root_ / std::to_string(pid);
    fs::create_directories(dir);
    fs::create_symlink(exe, dir / "exe");
    std::string comm = fs::path(exe).filename().string().substr(0, 15);
    std::ofstream(dir / "comm") << comm << "\n";
    std::ofstream(dir / "stat") << pid << " (" << comm
                                << ") S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 1000 10\n";
    std::ofstream(dir / "cgroup") << cgroup;
    std::ofstream environ(dir / "environ", std::ios::binary);
    for (const std::string& e : env) environ << e << '\0';
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

PodRecord CheckoutPod(bool with_container_status = true) {
  PodRecord pod;
  pod.metadata = {.namespace_name = "shop",
                  .pod_name = "checkout-7c9f6d8b5d-x2x7q",
                  .pod_uid = kUid,
                  .node_name = "node-a",
                  .static_pod_hash = "",
                  .workload = {"Deployment", "checkout", "checkout-7c9f6d8b5d"}};
  if (with_container_status) pod.containers = {{kId, "checkout"}};
  return pod;
}

PodRecord OtherPod(std::string uid) {
  PodRecord pod;
  pod.metadata = {.namespace_name = "ops",
                  .pod_name = "other-" + uid,
                  .pod_uid = uid,
                  .node_name = "node-a",
                  .static_pod_hash = "",
                  .workload = {"Pod", "other", ""}};
  pod.containers = {{std::string(64, 'e'), "other"}};
  return pod;
}

// Counts how often the registry asks, to show it does not on every lookup.
class CountingEnricher : public ResourceEnricher {
 public:
  explicit CountingEnricher(std::shared_ptr<const ResourceEnricher> inner) : inner_(std::move(inner)) {}
  ResourceEnrichment Enrich(const ProcessFacts& facts) const override {
    ++calls;
    return inner_->Enrich(facts);
  }
  uint64_t generation() const override { return inner_->generation(); }
  mutable std::atomic<int> calls{0};

 private:
  std::shared_ptr<const ResourceEnricher> inner_;
};

std::string Str(const Resource& r, std::string_view key) {
  for (const Attribute& a : r.attributes) {
    if (a.key != key) continue;
    if (const auto* s = std::get_if<std::string>(&a.value)) return *s;
    return "<not a string>";
  }
  return "<absent>";
}

class KubernetesRegistryTest : public ::testing::Test {
 protected:
  ProcessRegistry MakeRegistry(ResourceOverrides overrides = {}) {
    ProcessRegistryOptions options;
    options.proc_root = proc_.root();
    options.host_name = "node-a";
    options.overrides = std::move(overrides);
    options.enricher = enricher_;
    return ProcessRegistry(std::move(options));
  }
  FakeProc proc_;
  std::shared_ptr<PodCache> pods_ = std::make_shared<PodCache>();
  std::shared_ptr<CountingEnricher> enricher_ =
      std::make_shared<CountingEnricher>(std::make_shared<KubernetesResourceEnricher>(pods_, "node-a"));
};

TEST_F(KubernetesRegistryTest, ProcessInAKnownPodGetsPodWorkloadAndContainer) {
  pods_->Upsert(CheckoutPod());
  proc_.AddProcess(100, "/app/checkout-server", kPodCgroup);
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(r->service_name, "checkout");  // the Deployment, not the executable
  EXPECT_EQ(Str(*r, "service.name"), "checkout");
  EXPECT_EQ(Str(*r, "k8s.namespace.name"), "shop");
  EXPECT_EQ(Str(*r, "k8s.pod.name"), "checkout-7c9f6d8b5d-x2x7q");
  EXPECT_EQ(Str(*r, "k8s.pod.uid"), kUid);
  EXPECT_EQ(Str(*r, "k8s.container.name"), "checkout");
  EXPECT_EQ(Str(*r, "k8s.node.name"), "node-a");
  EXPECT_EQ(Str(*r, "k8s.deployment.name"), "checkout");
  EXPECT_EQ(Str(*r, "k8s.replicaset.name"), "checkout-7c9f6d8b5d");
  EXPECT_EQ(Str(*r, "container.id"), kId);
  EXPECT_EQ(Str(*r, "k8s.statefulset.name"), "<absent>");
  // The process facts are still there.
  EXPECT_EQ(Str(*r, "process.executable.name"), "checkout-server");
  EXPECT_EQ(Str(*r, "host.name"), "node-a");
}

TEST_F(KubernetesRegistryTest, WorkloadKindsGiveTheirOwnAttribute) {
  PodRecord pod = CheckoutPod();
  pod.metadata.workload = {"StatefulSet", "db", ""};
  pods_->Upsert(pod);
  proc_.AddProcess(100, "/usr/bin/postgres", kPodCgroup);
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(Str(*r, "k8s.statefulset.name"), "db");
  EXPECT_EQ(Str(*r, "k8s.deployment.name"), "<absent>");
  EXPECT_EQ(Str(*r, "k8s.replicaset.name"), "<absent>");
  EXPECT_EQ(r->service_name, "db");
}

TEST_F(KubernetesRegistryTest, TheProcessesOwnServiceNameWinsOverTheWorkload) {
  pods_->Upsert(CheckoutPod());
  proc_.AddProcess(100, "/app/server", kPodCgroup, {"OTEL_SERVICE_NAME=payments"});
  proc_.AddProcess(101, "/app/server", kPodCgroup, {"OTEL_RESOURCE_ATTRIBUTES=service.name=cart"});
  ProcessRegistry registry = MakeRegistry();
  EXPECT_EQ(registry.ResourceFor(100)->service_name, "payments");
  EXPECT_EQ(registry.ResourceFor(101)->service_name, "cart");
  EXPECT_EQ(Str(*registry.ResourceFor(101), "k8s.pod.name"), "checkout-7c9f6d8b5d-x2x7q");
}

TEST_F(KubernetesRegistryTest, TheAgentsOverrideWinsOverTheWorkload) {
  pods_->Upsert(CheckoutPod());
  proc_.AddProcess(100, "/app/server", kPodCgroup);
  auto r = MakeRegistry({.service_name = "edge", .attributes = {}}).ResourceFor(100);
  EXPECT_EQ(r->service_name, "edge");
  EXPECT_EQ(Str(*r, "k8s.deployment.name"), "checkout");
}

TEST_F(KubernetesRegistryTest, TheProcessesOwnResourceAttributesMayReplacePodAttributes) {
  pods_->Upsert(CheckoutPod());
  proc_.AddProcess(100, "/app/server", kPodCgroup, {"OTEL_RESOURCE_ATTRIBUTES=k8s.container.name=main"});
  EXPECT_EQ(Str(*MakeRegistry().ResourceFor(100), "k8s.container.name"), "main");
}

TEST_F(KubernetesRegistryTest, ProcessOutsideContainersKeepsItsExecutableName) {
  proc_.AddProcess(100, "/usr/sbin/nginx", "0::/system.slice/nginx.service\n");
  ProcessRegistry registry = MakeRegistry();
  auto r = registry.ResourceFor(100);
  EXPECT_EQ(r->service_name, "nginx");
  EXPECT_EQ(Str(*r, "container.id"), "<absent>");
  EXPECT_EQ(Str(*r, "k8s.pod.name"), "<absent>");
  EXPECT_EQ(Str(*r, "k8s.node.name"), "node-a");  // it still runs on this node
  pods_->Upsert(OtherPod("u2"));                  // a change elsewhere: nothing to redo, it was final
  EXPECT_EQ(registry.ResourceFor(100), r);
  EXPECT_EQ(enricher_->calls, 1);
}

TEST_F(KubernetesRegistryTest, ProcessSeenBeforeItsPodIsRebuiltOnceThePodArrives) {
  proc_.AddProcess(100, "/app/checkout-server", kPodCgroup);
  ProcessRegistry registry = MakeRegistry();
  auto early = registry.ResourceFor(100);
  EXPECT_EQ(Str(*early, "container.id"), kId);  // known before the pod is
  EXPECT_EQ(Str(*early, "k8s.pod.name"), "<absent>");
  EXPECT_EQ(early->service_name, "checkout-server");

  // Many spans while nothing changes: the same resource, no new questions.
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(registry.ResourceFor(100), early);
  EXPECT_EQ(enricher_->calls, 1);

  pods_->Upsert(CheckoutPod());
  auto late = registry.ResourceFor(100);
  EXPECT_NE(late, early);
  EXPECT_EQ(Str(*late, "k8s.pod.name"), "checkout-7c9f6d8b5d-x2x7q");
  EXPECT_EQ(Str(*late, "container.id"), kId);
  EXPECT_EQ(late->service_name, "checkout");
  EXPECT_EQ(late->pid, 100u);

  // Final now: later cache changes cost nothing.
  int calls = enricher_->calls;
  pods_->Upsert(OtherPod("u2"));
  EXPECT_EQ(registry.ResourceFor(100), late);
  EXPECT_EQ(enricher_->calls, calls);
}

TEST_F(KubernetesRegistryTest, ContainerOutsideAnyPodCostsOneQuestionPerCacheChange) {
  proc_.AddProcess(100, "/usr/bin/dockerd-app",
                   "0::/system.slice/docker-" + std::string(64, 'd') + ".scope\n");
  ProcessRegistry registry = MakeRegistry();
  auto first = registry.ResourceFor(100);
  EXPECT_EQ(Str(*first, "container.id"), std::string(64, 'd'));
  for (int round = 0; round < 3; ++round) {
    pods_->Upsert(OtherPod("u" + std::to_string(round)));
    for (int i = 0; i < 100; ++i) EXPECT_EQ(registry.ResourceFor(100), first);  // not rebuilt
  }
  EXPECT_EQ(enricher_->calls, 1 + 3);
}

TEST_F(KubernetesRegistryTest, PodKnownBeforeTheContainerStatusGivesPodThenContainer) {
  pods_->Upsert(CheckoutPod(/*with_container_status=*/false));
  proc_.AddProcess(100, "/app/checkout-server", kPodCgroup);
  ProcessRegistry registry = MakeRegistry();
  auto early = registry.ResourceFor(100);
  EXPECT_EQ(Str(*early, "k8s.pod.name"), "checkout-7c9f6d8b5d-x2x7q");  // by the pod uid in the cgroup
  EXPECT_EQ(early->service_name, "checkout");
  EXPECT_EQ(Str(*early, "k8s.container.name"), "<absent>");

  pods_->Upsert(CheckoutPod(/*with_container_status=*/true));
  auto late = registry.ResourceFor(100);
  EXPECT_EQ(Str(*late, "k8s.container.name"), "checkout");
}

TEST_F(KubernetesRegistryTest, ForgetThenLookupReadsTheCgroupAgain) {
  pods_->Upsert(CheckoutPod());
  proc_.AddProcess(100, "/app/checkout-server", kPodCgroup);
  ProcessRegistry registry = MakeRegistry();
  EXPECT_EQ(Str(*registry.ResourceFor(100), "k8s.pod.name"), "checkout-7c9f6d8b5d-x2x7q");
  registry.Forget(100);
  fs::path cgroup = fs::path(proc_.root()) / "100" / "cgroup";
  std::ofstream(cgroup, std::ios::trunc) << "0::/user.slice\n";  // pid reused outside the pod
  EXPECT_EQ(Str(*registry.ResourceFor(100), "k8s.pod.name"), "<absent>");
}

TEST_F(KubernetesRegistryTest, WithoutAnEnricherTheCgroupIsNotLookedAt) {
  pods_->Upsert(CheckoutPod());
  proc_.AddProcess(100, "/app/checkout-server", kPodCgroup);
  ProcessRegistryOptions options;
  options.proc_root = proc_.root();
  options.host_name = "node-a";
  ProcessRegistry registry(std::move(options));
  auto r = registry.ResourceFor(100);
  EXPECT_EQ(Str(*r, "container.id"), "<absent>");
  EXPECT_EQ(r->service_name, "checkout-server");
}

}  // namespace
}  // namespace zerotrace::kubernetes
