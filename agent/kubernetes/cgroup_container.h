// Which container (and pod) a process runs in, from its /proc/PID/cgroup.
//
// Container runtimes name a container's cgroup after its id: systemd driver
// ".../cri-containerd-<id>.scope", "crio-<id>.scope", "docker-<id>.scope",
// "libpod-<id>.scope"; cgroupfs driver ".../pod<uid>/<id>", "/docker/<id>".
// The kubelet names the pod's cgroup "pod<uid>" (cgroupfs) or
// "kubepods-<qos>-pod<uid with _ for ->.slice" (systemd).
#pragma once

#include <string>
#include <string_view>

namespace zerotrace::kubernetes {

struct CgroupContainer {
  // 64 lowercase hex digits; empty when the process is not in a container.
  std::string container_id;
  // As the API spells metadata.uid (8-4-4-4-12 with dashes), or the 32-hex
  // config hash a static pod's cgroup carries; empty when the path has none.
  std::string pod_uid;
};

// Takes the whole file: cgroup v1 (one "N:controllers:/path" line per
// hierarchy), v2 ("0::/path") or hybrid. Paths may be relative to the
// reader's cgroup namespace ("/../../kubepods/..."), which does not matter:
// only the components are looked at. The innermost container id wins
// (docker-in-docker), the first line that has one decides.
CgroupContainer ParseCgroupContainer(std::string_view proc_pid_cgroup);

}  // namespace zerotrace::kubernetes
