#include "agent/kubernetes/pod_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace zerotrace::kubernetes {
namespace {

PodRecord Pod(std::string uid, std::string name, std::vector<PodContainer> containers) {
  PodRecord pod;
  pod.metadata.namespace_name = "shop";
  pod.metadata.pod_name = std::move(name);
  pod.metadata.pod_uid = std::move(uid);
  pod.metadata.node_name = "node-a";
  pod.metadata.workload = {"Deployment", "web", "web-abc"};
  pod.containers = std::move(containers);
  return pod;
}

TEST(PodCache, FindsContainersAndPodsOfUpsertedPods) {
  PodCache cache;
  cache.Upsert(Pod("u1", "web-1", {{"c1", "app"}, {"c2", "envoy"}}));
  auto match = cache.FindContainer("c2");
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->container_name, "envoy");
  EXPECT_EQ(match->pod->pod_name, "web-1");
  EXPECT_EQ(cache.FindPod("u1")->pod_name, "web-1");
  EXPECT_FALSE(cache.FindContainer("c3").has_value());
  EXPECT_EQ(cache.FindPod("u2"), nullptr);
  EXPECT_EQ(cache.pod_count(), 1u);
  EXPECT_EQ(cache.container_count(), 2u);
}

TEST(PodCache, UpsertReplacesThePodsContainers) {
  PodCache cache;
  cache.Upsert(Pod("u1", "web-1", {{"c1", "app"}}));
  cache.Upsert(Pod("u1", "web-1", {{"c9", "app"}}));  // restarted: new id
  EXPECT_FALSE(cache.FindContainer("c1").has_value());
  EXPECT_TRUE(cache.FindContainer("c9").has_value());
  EXPECT_EQ(cache.container_count(), 1u);
}

TEST(PodCache, RemoveTakesTheContainersAlong) {
  PodCache cache;
  cache.Upsert(Pod("u1", "web-1", {{"c1", "app"}}));
  cache.Upsert(Pod("u2", "web-2", {{"c2", "app"}}));
  cache.Remove("u1");
  EXPECT_FALSE(cache.FindContainer("c1").has_value());
  EXPECT_EQ(cache.FindPod("u1"), nullptr);
  EXPECT_TRUE(cache.FindContainer("c2").has_value());
  cache.Remove("unknown");  // no-op
  EXPECT_EQ(cache.pod_count(), 1u);
}

TEST(PodCache, ReplaceAllDropsPodsNoLongerListed) {
  PodCache cache;
  cache.Upsert(Pod("u1", "web-1", {{"c1", "app"}}));
  cache.Upsert(Pod("u2", "web-2", {{"c2", "app"}}));
  cache.ReplaceAll({Pod("u2", "web-2", {{"c2", "app"}}), Pod("u3", "web-3", {{"c3", "app"}})});
  EXPECT_EQ(cache.pod_count(), 2u);
  EXPECT_FALSE(cache.FindContainer("c1").has_value());
  EXPECT_TRUE(cache.FindContainer("c2").has_value());
  EXPECT_TRUE(cache.FindContainer("c3").has_value());
}

TEST(PodCache, GenerationMovesOnlyOnChanges) {
  PodCache cache;
  uint64_t g0 = cache.generation();
  cache.Upsert(Pod("u1", "web-1", {{"c1", "app"}}));
  uint64_t g1 = cache.generation();
  EXPECT_NE(g1, g0);
  cache.Upsert(Pod("u1", "web-1", {{"c1", "app"}}));  // e.g. a readiness change the cache ignores
  EXPECT_EQ(cache.generation(), g1);
  cache.ReplaceAll({Pod("u1", "web-1", {{"c1", "app"}})});  // relist, nothing new
  EXPECT_EQ(cache.generation(), g1);
  cache.Remove("nope");
  EXPECT_EQ(cache.generation(), g1);
  cache.Upsert(Pod("u1", "web-1", {{"c1", "app"}, {"c2", "envoy"}}));
  EXPECT_NE(cache.generation(), g1);
}

TEST(PodCache, StaticPodIsFoundByItsConfigHash) {
  PodCache cache;
  PodRecord pod = Pod("mirror-uid", "etcd-node-a", {{"c1", "etcd"}});
  pod.metadata.static_pod_hash = "6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d";
  cache.Upsert(pod);
  ASSERT_NE(cache.FindPod("6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d"), nullptr);
  EXPECT_EQ(cache.FindPod("6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d")->pod_uid, "mirror-uid");
  cache.Remove("mirror-uid");
  EXPECT_EQ(cache.FindPod("6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d"), nullptr);
}

TEST(PodCache, ReadersAndAWriterConcurrently) {
  PodCache cache;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      std::string uid = "u" + std::to_string(i % 50);
      if (i % 3 == 0) {
        cache.Remove(uid);
      } else {
        cache.Upsert(Pod(uid, "p" + std::to_string(i), {{"c" + std::to_string(i % 50), "app"}}));
      }
    }
    done = true;
  });
  size_t mismatched = 0;  // container cN always belongs to pod uN
  while (!done) {
    for (int i = 0; i < 50; ++i) {
      if (auto m = cache.FindContainer("c" + std::to_string(i)))
        mismatched += m->pod->pod_uid != "u" + std::to_string(i);
    }
  }
  writer.join();
  EXPECT_EQ(mismatched, 0u);
  EXPECT_LE(cache.pod_count(), 50u);
  EXPECT_EQ(cache.container_count(), cache.pod_count());
}

}  // namespace
}  // namespace zerotrace::kubernetes
