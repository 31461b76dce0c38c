#include "agent/kubernetes/cgroup_container.h"

#include <gtest/gtest.h>

#include <string>

namespace zerotrace::kubernetes {
namespace {

const std::string kId = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
const std::string kOuterId = "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999";
const std::string kUid = "0f9a7c1e-3b2d-4c5e-9f8a-1b2c3d4e5f60";
const std::string kUidSystemd = "0f9a7c1e_3b2d_4c5e_9f8a_1b2c3d4e5f60";

struct Case {
  const char* what;
  std::string cgroup;
  std::string container_id;
  std::string pod_uid;
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.what; }

class CgroupContainerTest : public ::testing::TestWithParam<Case> {};

TEST_P(CgroupContainerTest, FindsTheContainerAndPod) {
  const Case& c = GetParam();
  CgroupContainer found = ParseCgroupContainer(c.cgroup);
  EXPECT_EQ(found.container_id, c.container_id) << c.cgroup;
  EXPECT_EQ(found.pod_uid, c.pod_uid) << c.cgroup;
}

// A cgroup v1 file as a kubelet with the cgroupfs driver leaves it (one
// line per hierarchy, hybrid "0::" line last).
std::string V1CgroupfsFile(const std::string& path) {
  std::string out;
  const char* hierarchies[] = {
      "12:hugetlb:", "11:memory:",    "10:pids:", "9:cpu,cpuacct:", "8:devices:", "7:net_cls,net_prio:",
      "6:freezer:",  "5:perf_event:", "4:blkio:", "3:cpuset:",      "2:rdma:",    "1:name=systemd:"};
  for (const char* h : hierarchies) out += std::string(h) + path + "\n";
  out += "0::/\n";
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    RuntimesAndDrivers, CgroupContainerTest,
    ::testing::Values(
        Case{"containerd, systemd driver, cgroup v2",
             "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd +
                 ".slice/cri-containerd-" + kId + ".scope\n",
             kId, kUid},
        Case{"containerd, cgroupfs driver, cgroup v1 (multi-line)",
             V1CgroupfsFile("/kubepods/burstable/pod" + kUid + "/" + kId), kId, kUid},
        Case{"containerd, cgroupfs driver, guaranteed QoS (no QoS folder), cgroup v2",
             "0::/kubepods/pod" + kUid + "/" + kId + "\n", kId, kUid},
        Case{"containerd, systemd driver, guaranteed QoS",
             "0::/kubepods.slice/kubepods-pod" + kUidSystemd + ".slice/cri-containerd-" + kId + ".scope\n",
             kId, kUid},
        Case{"CRI-O, systemd driver, cgroup v2",
             "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidSystemd +
                 ".slice/crio-" + kId + ".scope\n",
             kId, kUid},
        Case{"CRI-O, systemd driver, cgroup v1",
             "11:memory:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidSystemd +
                 ".slice/crio-" + kId + ".scope\n" +
                 "1:name=systemd:/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                 kUidSystemd + ".slice/crio-" + kId + ".scope\n",
             kId, kUid},
        Case{"CRI-O's conmon is not the container",
             "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + kUidSystemd +
                 ".slice/crio-conmon-" + kId + ".scope\n",
             "", kUid},
        Case{"kind: kubelet nested in kubelet.slice",
             "0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
             "kubelet-kubepods-besteffort-pod" +
                 kUidSystemd + ".slice/cri-containerd-" + kId + ".scope\n",
             kId, kUid},
        Case{"path relative to the agent's own cgroup namespace",
             "0::/../../kubepods-burstable-pod" + kUidSystemd + ".slice/cri-containerd-" + kId + ".scope\n",
             kId, kUid},
        Case{"static pod: the cgroup carries the config hash",
             "0::/kubepods.slice/kubepods-burstable.slice/"
             "kubepods-burstable-pod6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d.slice/cri-containerd-" +
                 kId + ".scope\n",
             kId, "6b3a9d2f0e1c4a5b8c7d9e0f1a2b3c4d"},
        Case{"Docker, systemd driver, cgroup v2", "0::/system.slice/docker-" + kId + ".scope\n", kId, ""},
        Case{"Docker, cgroupfs driver, cgroup v1",
             "12:devices:/docker/" + kId + "\n11:memory:/docker/" + kId + "\n1:name=systemd:/docker/" + kId +
                 "\n",
             kId, ""},
        Case{"Docker with a sub-cgroup inside the container (systemd in a container)",
             "0::/system.slice/docker-" + kId + ".scope/init.scope\n", kId, ""},
        Case{"Podman", "0::/machine.slice/libpod-" + kId + ".scope/container\n", kId, ""},
        Case{"Docker in Docker: the innermost container",
             "0::/system.slice/docker-" + kOuterId + ".scope/docker/" + kId + "\n", kId, ""},
        Case{"uppercase hex is normalised",
             "0::/docker/3F4E5D6C7B8A99887766554433221100FFEEDDCCBBAA00112233445566778899\n", kId, ""},
        Case{"v1 file where only a later line has the container",
             "2:cpuset:/\n1:name=systemd:/kubepods/besteffort/pod" + kUid + "/" + kId + "\n0::/\n", kId,
             kUid}));

INSTANTIATE_TEST_SUITE_P(
    NotInAContainer, CgroupContainerTest,
    ::testing::Values(
        Case{"login session, cgroup v2", "0::/user.slice/user-1000.slice/session-3.scope\n", "", ""},
        Case{"systemd service", "0::/system.slice/nginx.service\n", "", ""},
        Case{"host v1 file",
             "12:hugetlb:/\n11:memory:/system.slice/sshd.service\n1:name=systemd:/system.slice/"
             "sshd.service\n0::/\n",
             "", ""},
        Case{"root cgroup", "0::/\n", "", ""}, Case{"empty file", "", "", ""},
        Case{"63 hex digits are not an id", "0::/system.slice/docker-" + kId.substr(1) + ".scope\n", "", ""},
        Case{"a 64-character name that is not hex",
             "0::/system.slice/docker-" + std::string(63, 'a') + "z.scope\n", "", ""},
        Case{"a hex tail glued to other text is not an id", "0::/system.slice/docker" + kId + ".scope\n", "",
             ""},
        Case{"a pod's own slice without a container (e.g. a sandbox being set up)",
             "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd + ".slice\n",
             "", kUid},
        Case{"garbage lines", "no colons here\n:\n", "", ""}));

}  // namespace
}  // namespace zerotrace::kubernetes
