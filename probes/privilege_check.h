// Which Linux capabilities the agent needs, checked before anything is
// loaded: a missing one is one line naming it and what it is for, instead of
// an EPERM from deep inside libbpf. The set was measured on Linux 6.18 (see
// docs/least-privilege.md): tracing needs neither uid 0 nor CAP_SYS_ADMIN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace zerotrace::probes {

// Bit N set: capability N (as numbered in <linux/capability.h>) is held.
// The layout of CapEff in /proc/PID/status.
using CapabilitySet = uint64_t;

constexpr CapabilitySet CapabilityBit(int capability) { return CapabilitySet{1} << capability; }

// What this run will do, which decides what it must be allowed to do.
struct PrivilegeNeeds {
  // sockops and sk_msg programs plus a SOCKHASH map: CAP_NET_ADMIN.
  bool inject_traceparent = false;
};

// Empty when `effective` holds every capability `needs` calls for, or one the
// kernel accepts in its place (CAP_SYS_ADMIN for CAP_BPF, CAP_PERFMON and
// CAP_NET_ADMIN; CAP_DAC_OVERRIDE for CAP_DAC_READ_SEARCH). Otherwise one line
// naming each missing capability, what it is needed for, and how to grant it.
std::string DescribeMissingCapabilities(CapabilitySet effective, const PrivilegeNeeds& needs);

// This process's effective capabilities (capget(2)); nullopt if the kernel
// will not say.
std::optional<CapabilitySet> ReadEffectiveCapabilities();

// Capabilities held inside a user namespace other than the host's (rootless
// containers, userns-remap) do not count for bpf() or perf_event_open().
// `uid_map` is the text of /proc/self/uid_map. Empty in the host's user
// namespace; otherwise one line saying so.
std::string DescribeUserNamespaceProblem(const std::string& uid_map);

// The same for this process.
std::string CheckUserNamespace();

// Kernels before 5.11 charge BPF maps to RLIMIT_MEMLOCK instead of the memory
// cgroup, and libbpf then raises that limit to unlimited, which needs
// CAP_SYS_RESOURCE unless the hard limit already is. Empty when the maps will
// fit; otherwise one line saying what to grant or raise. `memlock_hard_limit`
// is in bytes, RLIM_INFINITY for none.
std::string DescribeMemlockProblem(int kernel_major, int kernel_minor, uint64_t memlock_hard_limit,
                                   CapabilitySet effective);

// The same for this process on this kernel (uname(2), getrlimit(2)).
std::string CheckMemlockLimit(CapabilitySet effective);

// True when the kernel refuses to create uprobes through perf_event_open for
// this process. Linux 6.16 (and stable kernels patched in 2025) ask for
// CAP_SYS_ADMIN there again, CAP_PERFMON no longer being enough; the probe
// asks the uprobe PMU about a path that cannot be probed, so nothing is
// attached either way.
bool KernelRefusesUprobes();

}  // namespace zerotrace::probes
