#include "agent/kubernetes/kubernetes_settings.h"

namespace zerotrace::kubernetes {
namespace {

std::string EnvValue(const KubernetesEnvLookup& env, const char* name) {
  std::optional<std::string> value = env(name);
  return value ? *value : std::string();
}

}  // namespace

std::optional<KubernetesSettings> KubernetesSettingsFromEnvironment(const KubernetesEnvLookup& env,
                                                                    KubernetesMode mode, std::string* error) {
  KubernetesSettings settings;
  if (mode == KubernetesMode::kOff) return settings;
  std::string host = EnvValue(env, "KUBERNETES_SERVICE_HOST");
  if (host.empty()) {
    if (mode == KubernetesMode::kAuto) return settings;
    *error =
        "Kubernetes metadata was asked for, but KUBERNETES_SERVICE_HOST is not set: run the "
        "agent in a pod (it is set there) or turn Kubernetes metadata off";
    return std::nullopt;
  }
  settings.node_name = EnvValue(env, "NODE_NAME");
  if (settings.node_name.empty()) {
    *error =
        "running in Kubernetes (KUBERNETES_SERVICE_HOST is set) but NODE_NAME is not: set "
        "NODE_NAME from the downward API (spec.nodeName) in the DaemonSet's env";
    return std::nullopt;
  }
  std::string port = EnvValue(env, "KUBERNETES_SERVICE_PORT");
  if (port.empty()) port = "443";
  // An IPv6 service address needs brackets in a URL.
  if (host.find(':') != std::string::npos && !host.starts_with('[')) host = "[" + host + "]";
  settings.enabled = true;
  settings.api_url = "https://" + host + ":" + port;
  settings.token_file = kServiceAccountTokenPath;
  settings.ca_file = kServiceAccountCaPath;
  return settings;
}

KubernetesSettings KubernetesSettingsFor(std::string api_url, std::string token, std::string node_name) {
  KubernetesSettings settings;
  settings.enabled = true;
  settings.api_url = std::move(api_url);
  settings.token = std::move(token);
  settings.node_name = std::move(node_name);
  return settings;
}

}  // namespace zerotrace::kubernetes
