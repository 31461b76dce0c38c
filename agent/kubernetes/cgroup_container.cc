#include "agent/kubernetes/cgroup_container.h"

#include "base/text.h"

namespace zerotrace::kubernetes {
namespace {

constexpr size_t kContainerIdLength = 64;

void RemoveSuffix(std::string_view& s, std::string_view suffix) {
  if (s.ends_with(suffix)) s.remove_suffix(suffix.size());
}

// "<64hex>", "<runtime>-<64hex>" or either with ".scope"; conmon (CRI-O's
// and podman's per-container monitor) has the container's id in its own
// scope but is not the container.
std::string_view ContainerIdOf(std::string_view component) {
  RemoveSuffix(component, ".scope");
  if (component.size() < kContainerIdLength) return {};
  std::string_view id = component.substr(component.size() - kContainerIdLength);
  if (!IsHexDigits(id)) return {};
  std::string_view prefix = component.substr(0, component.size() - kContainerIdLength);
  if (prefix.empty()) return id;
  if (!prefix.ends_with('-') && !prefix.ends_with(':')) return {};
  if (prefix.find("conmon") != std::string_view::npos) return {};
  return id;
}

// 8-4-4-4-12 hex with dashes, or 32 hex (a static pod's config hash).
bool IsPodUid(std::string_view uid) {
  if (uid.size() == 32) return IsHexDigits(uid);
  return IsUuidText(uid);
}

// "pod<uid>" (cgroupfs) or "...-pod<uid_with_underscores>.slice" (systemd).
std::string PodUidOf(std::string_view component) {
  RemoveSuffix(component, ".slice");
  size_t at;
  if (component.starts_with("pod")) {
    at = 0;
  } else if (size_t dash = component.rfind("-pod"); dash != std::string_view::npos) {
    at = dash + 1;
  } else {
    return {};
  }
  std::string uid = ToLowerAscii(component.substr(at + 3));
  for (char& c : uid)
    if (c == '_') c = '-';
  return IsPodUid(uid) ? uid : std::string();
}

CgroupContainer ParsePath(std::string_view path) {
  CgroupContainer found;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view component = path.substr(0, slash);
    if (std::string_view id = ContainerIdOf(component); !id.empty()) {
      found.container_id = ToLowerAscii(id);
    } else if (std::string uid = PodUidOf(component); !uid.empty()) {
      found.pod_uid = std::move(uid);
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return found;
}

}  // namespace

CgroupContainer ParseCgroupContainer(std::string_view text) {
  CgroupContainer first_with_pod;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    // "hierarchy-id:controllers:path"; the path may itself hold ':'.
    size_t first = line.find(':');
    if (first == std::string_view::npos) continue;
    size_t second = line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    CgroupContainer here = ParsePath(line.substr(second + 1));
    if (!here.container_id.empty()) {
      if (here.pod_uid.empty()) here.pod_uid = std::move(first_with_pod.pod_uid);
      return here;
    }
    if (first_with_pod.pod_uid.empty()) first_with_pod.pod_uid = std::move(here.pod_uid);
  }
  return first_with_pod;
}

}  // namespace zerotrace::kubernetes
