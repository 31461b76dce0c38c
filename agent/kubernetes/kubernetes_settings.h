// How the agent reaches the Kubernetes API and which node's pods it wants.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace zerotrace::kubernetes {

inline constexpr const char* kServiceAccountTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";
inline constexpr const char* kServiceAccountCaPath = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

struct KubernetesSettings {
  bool enabled = false;
  std::string api_url;     // "https://10.96.0.1:443"; tests: "http://127.0.0.1:PORT"
  std::string token_file;  // re-read before every request: projected tokens rotate
  std::string token;       // used when token_file is empty (tests); empty: no Authorization
  std::string ca_file;     // PEM to verify the API server; empty: the system's store
  std::string node_name;   // whose pods to watch (spec.nodeName)

  // Waits between failed attempts: doubling from initial up to max, jittered.
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  // Asked of the API server per watch (timeoutSeconds) so streams are renewed
  // regularly; the client gives up on a silent stream a minute after that.
  std::chrono::seconds watch_timeout{300};
  std::chrono::seconds request_timeout{30};  // a list page, connecting included
};

// Selects the source of `enabled`: kAuto follows KUBERNETES_SERVICE_HOST.
enum class KubernetesMode { kAuto, kOn, kOff };

// Reads an environment variable (the agent's EnvLookup has this shape).
using KubernetesEnvLookup = std::function<std::optional<std::string>(const char* name)>;

// In-cluster configuration: the API at https://$KUBERNETES_SERVICE_HOST:
// $KUBERNETES_SERVICE_PORT with the pod's service account token and CA, this
// node from $NODE_NAME. Not in a cluster (no KUBERNETES_SERVICE_HOST) and
// kAuto, or kOff: settings with enabled = false. nullopt with `*error` set to
// one line when enabled but unusable (NODE_NAME unset, kOn outside a cluster).
std::optional<KubernetesSettings> KubernetesSettingsFromEnvironment(const KubernetesEnvLookup& env,
                                                                    KubernetesMode mode, std::string* error);

// Explicit API URL, token and node (tests, or an API reached another way).
KubernetesSettings KubernetesSettingsFor(std::string api_url, std::string token, std::string node_name);

}  // namespace zerotrace::kubernetes
