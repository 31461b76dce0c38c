#include "agent/kubernetes/kubernetes_metadata.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "agent/kubernetes/kubernetes_resource_enricher.h"

namespace zerotrace::kubernetes {
namespace {

// Empty when the file can be opened for reading, else why not.
std::string Unreadable(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  close(fd);
  return {};
}

}  // namespace

std::unique_ptr<KubernetesMetadata> KubernetesMetadata::Start(const KubernetesSettings& settings,
                                                              std::string* error) {
  if (!settings.enabled) {
    *error = "Kubernetes metadata is off";
    return nullptr;
  }
  if (settings.api_url.empty() || settings.node_name.empty()) {
    *error = "Kubernetes metadata needs the API server's URL and this node's name (NODE_NAME)";
    return nullptr;
  }
  if (!settings.token_file.empty()) {
    if (std::string why = Unreadable(settings.token_file); !why.empty()) {
      *error = "cannot read the Kubernetes service account token " + settings.token_file + ": " + why +
               " (mount it: automountServiceAccountToken must not be false)";
      return nullptr;
    }
  }
  if (!settings.ca_file.empty() && settings.api_url.starts_with("https:")) {
    if (std::string why = Unreadable(settings.ca_file); !why.empty()) {
      *error = "cannot read the Kubernetes API's CA certificate " + settings.ca_file + ": " + why;
      return nullptr;
    }
  }
  auto metadata = std::make_unique<KubernetesMetadata>(PrivateTag{});
  metadata->pods_ = std::make_shared<PodCache>();
  metadata->enricher_ = std::make_shared<KubernetesResourceEnricher>(metadata->pods_, settings.node_name);
  try {
    metadata->watcher_ = std::make_unique<PodWatcher>(settings, metadata->pods_);
  } catch (const std::exception& e) {  // libcurl could not start
    *error = std::string("Kubernetes metadata: ") + e.what();
    return nullptr;
  }
  metadata->watcher_->Start();
  return metadata;
}

KubernetesMetadata::~KubernetesMetadata() {
  if (watcher_) watcher_->Stop();
}

}  // namespace zerotrace::kubernetes
