#include "probes/privilege_check.h"

#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace zerotrace::probes {
namespace {

// One capability the agent needs, and why: the "why" is what the user reads.
struct Requirement {
  int capability;
  const char* name;
  CapabilitySet also_accepted;  // capabilities the kernel takes in its place
  const char* needed_for;
  bool only_for_injection;
};

// Measured on Linux 6.18 by taking each one away (docs/least-privilege.md).
constexpr std::array<Requirement, 5> kRequirements{{
    {CAP_BPF, "CAP_BPF", CapabilityBit(CAP_SYS_ADMIN), "to create BPF maps and load BPF programs",
     false},
    {CAP_PERFMON, "CAP_PERFMON", CapabilityBit(CAP_SYS_ADMIN),
     "to load tracing programs and attach them to tracepoints", false},
    {CAP_SYS_PTRACE, "CAP_SYS_PTRACE", 0,
     "to read /proc/PID/exe and /proc/PID/root of the traced processes", false},
    {CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH", CapabilityBit(CAP_DAC_OVERRIDE),
     "to read tracefs and other users' /proc/PID/environ", false},
    {CAP_NET_ADMIN, "CAP_NET_ADMIN", CapabilityBit(CAP_SYS_ADMIN),
     "for --inject-traceparent's sockops and sk_msg programs", true},
}};

bool Holds(CapabilitySet effective, const Requirement& r) {
  return (effective & (CapabilityBit(r.capability) | r.also_accepted)) != 0;
}

// "a", "a and b", "a, b and c".
std::string JoinAsList(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

std::string DescribeMissingCapabilities(CapabilitySet effective, const PrivilegeNeeds& needs) {
  std::vector<std::string> missing;
  for (const Requirement& r : kRequirements) {
    if (r.only_for_injection && !needs.inject_traceparent) continue;
    if (!Holds(effective, r)) missing.push_back(std::string(r.name) + " (needed " + r.needed_for + ")");
  }
  if (missing.empty()) return {};
  const bool one = missing.size() == 1;
  return std::string(one ? "missing capability " : "missing capabilities ") + JoinAsList(missing) +
         "; run as root or grant " + (one ? "it" : "them") +
         " (setcap on the binary, AmbientCapabilities= in a systemd unit, or "
         "securityContext.capabilities.add in the DaemonSet)";
}

std::optional<CapabilitySet> ReadEffectiveCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (syscall(SYS_capget, &header, data.data()) != 0) return std::nullopt;
  return CapabilitySet{data[0].effective} | (CapabilitySet{data[1].effective} << 32);
}

std::string DescribeUserNamespaceProblem(const std::string& uid_map) {
  // The host's namespace maps every uid to itself, in one range.
  std::istringstream lines(uid_map);
  std::string first_line, next_line;
  std::getline(lines, first_line);
  std::istringstream fields(first_line);
  uint64_t inside = 0, outside = 0, count = 0;
  const bool parsed = static_cast<bool>(fields >> inside >> outside >> count);
  const bool more_ranges = std::getline(lines, next_line) && !next_line.empty();
  if (parsed && inside == 0 && outside == 0 && count == 4294967295u && !more_ranges) return {};
  const std::string mapping = parsed ? "uid " + std::to_string(inside) + " is host uid " +
                                           std::to_string(outside) + ", " + std::to_string(count) +
                                           " uids mapped"
                                     : "no uid mapped";
  return "the agent runs in a user namespace other than the host's (" + mapping +
         "), where capabilities do not count for BPF: run it in the host's user namespace (not in "
         "a rootless container, nor with userns-remap or hostUsers: false)";
}

std::string CheckUserNamespace() {
  std::ifstream file("/proc/self/uid_map");
  if (!file) return {};  // no user namespaces in this kernel: the host's it is
  std::stringstream text;
  text << file.rdbuf();
  return DescribeUserNamespaceProblem(text.str());
}

std::string DescribeMemlockProblem(int kernel_major, int kernel_minor, uint64_t memlock_hard_limit,
                                   CapabilitySet effective) {
  const bool charges_memlock = kernel_major < 5 || (kernel_major == 5 && kernel_minor < 11);
  if (!charges_memlock || memlock_hard_limit == RLIM_INFINITY ||
      (effective & CapabilityBit(CAP_SYS_RESOURCE)) != 0)
    return {};
  return "Linux " + std::to_string(kernel_major) + "." + std::to_string(kernel_minor) +
         " charges BPF maps to RLIMIT_MEMLOCK, whose hard limit here is " +
         std::to_string(memlock_hard_limit / 1024) +
         " KiB: grant CAP_SYS_RESOURCE, or raise the limit to unlimited (ulimit -l unlimited, "
         "LimitMEMLOCK=infinity in a systemd unit, or the container runtime's memlock ulimit)";
}

std::string CheckMemlockLimit(CapabilitySet effective) {
  utsname name{};
  int major = 0, minor = 0;
  if (uname(&name) != 0 || std::sscanf(name.release, "%d.%d", &major, &minor) != 2) return {};
  rlimit limit{};
  if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) return {};
  return DescribeMemlockProblem(major, minor, limit.rlim_max, effective);
}

bool KernelRefusesUprobes() {
  // The uprobe PMU's dynamic type; without it libbpf falls back to tracefs
  // uprobe_events, which this check does not cover.
  std::ifstream type_file("/sys/bus/event_source/devices/uprobe/type");
  uint32_t type = 0;
  if (!(type_file >> type)) return false;
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = type;
  // "/" is no regular file: the kernel rejects it with EINVAL, but only after
  // its capability check, which fails first with EACCES.
  static const char kNotAFile[] = "/";
  attr.config1 = reinterpret_cast<uintptr_t>(kNotAFile);  // uprobe_path
  const long fd = syscall(SYS_perf_event_open, &attr, -1 /* every process */, 0 /* cpu */,
                          -1 /* no group */, PERF_FLAG_FD_CLOEXEC);
  if (fd >= 0) {
    close(static_cast<int>(fd));
    return false;
  }
  return errno == EACCES;
}

}  // namespace zerotrace::probes
