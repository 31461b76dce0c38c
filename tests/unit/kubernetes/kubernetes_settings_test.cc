#include "agent/kubernetes/kubernetes_settings.h"

#include <gtest/gtest.h>

#include <map>

#include "agent/kubernetes/kubernetes_metadata.h"

namespace zerotrace::kubernetes {
namespace {

KubernetesEnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(KubernetesSettings, InClusterFromTheServiceEnvironment) {
  std::string error;
  auto s = KubernetesSettingsFromEnvironment(Env({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                  {"KUBERNETES_SERVICE_PORT", "443"},
                                                  {"NODE_NAME", "node-a"}}),
                                             KubernetesMode::kAuto, &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_TRUE(s->enabled);
  EXPECT_EQ(s->api_url, "https://10.96.0.1:443");
  EXPECT_EQ(s->node_name, "node-a");
  EXPECT_EQ(s->token_file, "/var/run/secrets/kubernetes.io/serviceaccount/token");
  EXPECT_EQ(s->ca_file, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
  EXPECT_TRUE(s->token.empty());
}

TEST(KubernetesSettings, Ipv6ServiceHostIsBracketed) {
  std::string error;
  auto s = KubernetesSettingsFromEnvironment(Env({{"KUBERNETES_SERVICE_HOST", "fd00:10:96::1"},
                                                  {"KUBERNETES_SERVICE_PORT", "6443"},
                                                  {"NODE_NAME", "n"}}),
                                             KubernetesMode::kAuto, &error);
  ASSERT_TRUE(s.has_value()) << error;
  EXPECT_EQ(s->api_url, "https://[fd00:10:96::1]:6443");
}

TEST(KubernetesSettings, OutsideAClusterItIsOffWithoutError) {
  std::string error;
  auto s = KubernetesSettingsFromEnvironment(Env({{"NODE_NAME", "node-a"}}), KubernetesMode::kAuto, &error);
  ASSERT_TRUE(s.has_value());
  EXPECT_FALSE(s->enabled);
  EXPECT_TRUE(error.empty());
}

TEST(KubernetesSettings, InClusterWithoutNodeNameIsOneClearError) {
  std::string error;
  auto s = KubernetesSettingsFromEnvironment(Env({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}),
                                             KubernetesMode::kAuto, &error);
  EXPECT_FALSE(s.has_value());
  EXPECT_NE(error.find("set NODE_NAME from the downward API (spec.nodeName)"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(KubernetesSettings, ForcedOnOutsideAClusterIsAnErrorAndOffWins) {
  std::string error;
  EXPECT_FALSE(KubernetesSettingsFromEnvironment(Env({}), KubernetesMode::kOn, &error).has_value());
  EXPECT_NE(error.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
  error.clear();
  auto off = KubernetesSettingsFromEnvironment(Env({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}),
                                               KubernetesMode::kOff, &error);
  ASSERT_TRUE(off.has_value());
  EXPECT_FALSE(off->enabled);
}

TEST(KubernetesSettings, ExplicitUrlTokenAndNode) {
  KubernetesSettings s = KubernetesSettingsFor("http://127.0.0.1:8080", "t0k3n", "node-b");
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.api_url, "http://127.0.0.1:8080");
  EXPECT_EQ(s.token, "t0k3n");
  EXPECT_TRUE(s.token_file.empty());
  EXPECT_EQ(s.node_name, "node-b");
}

TEST(KubernetesMetadataStart, UnusableSettingsAreOneLineErrors) {
  std::string error;
  EXPECT_EQ(KubernetesMetadata::Start(KubernetesSettings{}, &error), nullptr);
  EXPECT_FALSE(error.empty());

  KubernetesSettings s = KubernetesSettingsFor("https://10.96.0.1:443", "", "node-a");
  s.token_file = "/nonexistent/zerotrace/token";
  error.clear();
  EXPECT_EQ(KubernetesMetadata::Start(s, &error), nullptr);
  EXPECT_NE(error.find("/nonexistent/zerotrace/token"), std::string::npos) << error;

  s = KubernetesSettingsFor("https://10.96.0.1:443", "t", "node-a");
  s.ca_file = "/nonexistent/zerotrace/ca.crt";
  error.clear();
  EXPECT_EQ(KubernetesMetadata::Start(s, &error), nullptr);
  EXPECT_NE(error.find("ca.crt"), std::string::npos) << error;

  s = KubernetesSettingsFor("http://127.0.0.1:1", "t", "");
  error.clear();
  EXPECT_EQ(KubernetesMetadata::Start(s, &error), nullptr);
  EXPECT_NE(error.find("NODE_NAME"), std::string::npos) << error;
}

}  // namespace
}  // namespace zerotrace::kubernetes
