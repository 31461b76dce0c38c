#include "probes/bpf_environment.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/magic.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <optional>

namespace zerotrace::probes {
namespace {

bool IsMountOfType(const char* path, long magic) {
  struct statfs fs {};
  return statfs(path, &fs) == 0 && static_cast<long>(fs.f_type) == magic;
}

// Mounts `fstype` at `path` unless it is there already. False when it is
// neither there nor mountable; then errno says why.
bool EnsureMounted(const char* path, const char* fstype, long magic) {
  if (IsMountOfType(path, magic)) return true;
  if (mount(fstype, path, fstype, 0, nullptr) == 0) {
    spdlog::debug("mounted {} at {}", fstype, path);
    return true;
  }
  return false;
}

// Privileges first (user namespace, capabilities, memlock limit): every later
// step would otherwise fail on them with a bare EPERM. Optional ones only warn.
std::string CheckCapabilities(const PrivilegeNeeds& needs) {
  if (std::string problem = CheckUserNamespace(); !problem.empty()) return problem;
  std::optional<CapabilitySet> effective = ReadEffectiveCapabilities();
  if (!effective) {
    spdlog::debug("capget failed ({}): capabilities not checked", std::strerror(errno));
    return {};
  }
  if (std::string missing = DescribeMissingCapabilities(*effective, needs); !missing.empty())
    return missing;
  if (std::string memlock = CheckMemlockLimit(*effective); !memlock.empty()) return memlock;
  if ((*effective & CapabilityBit(CAP_SYS_ADMIN)) == 0 && KernelRefusesUprobes())
    spdlog::warn("this kernel allows uprobes only with CAP_SYS_ADMIN (Linux 6.16 and later, and "
                 "2025 stable updates): HTTPS plaintext from OpenSSL will not be traced, plain "
                 "HTTP is");
  return {};
}

int LibbpfToSpdlog(enum libbpf_print_level level, const char* format, va_list args) {
  char line[1024];
  int n = vsnprintf(line, sizeof(line), format, args);
  if (n > 0 && line[std::min<size_t>(n, sizeof(line) - 1) - 1] == '\n')
    line[std::min<size_t>(n, sizeof(line) - 1) - 1] = '\0';
  if (level == LIBBPF_WARN)
    spdlog::debug("libbpf: {}", line);
  else
    spdlog::trace("libbpf: {}", line);
  return n;
}

int LibbpfSilent(enum libbpf_print_level, const char*, va_list) { return 0; }

}  // namespace

std::string PrepareBpfEnvironment(const PrivilegeNeeds& needs) {
  if (std::string problem = CheckCapabilities(needs); !problem.empty()) return problem;
  struct stat st {};
  if (stat("/sys/kernel/btf/vmlinux", &st) != 0)
    return "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): use a kernel built "
           "with CONFIG_DEBUG_INFO_BTF=y";
  if (!IsMountOfType("/sys/kernel/tracing", TRACEFS_MAGIC) &&
      !IsMountOfType("/sys/kernel/debug/tracing", TRACEFS_MAGIC) &&
      !EnsureMounted("/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC)) {
    const bool not_permitted = errno == EPERM;
    return std::string("tracefs is not mounted and could not be mounted") +
           (not_permitted ? " (mounting needs CAP_SYS_ADMIN)" : "") +
           ": run 'mount -t tracefs tracefs /sys/kernel/tracing' as root, or mount the host's "
           "/sys/kernel/tracing into the container";
  }
  // Receiving syscalls are seen at exit only, their arguments read from the
  // task's saved registers (bpf/socket_trace.bpf.c), and sends keep state in
  // task storage: both from Linux 5.15.
  if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, nullptr) == 0 ||
      libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, nullptr) == 0)
    return "this kernel is too old: zerotrace needs Linux 5.15 or later (bpf_task_pt_regs and "
           "task storage for tracepoint programs)";
  // Nothing is pinned yet, but later stages and users expect bpffs; a
  // failure here is not fatal.
  if (!EnsureMounted("/sys/fs/bpf", "bpf", BPF_FS_MAGIC))
    spdlog::debug("bpffs is not mounted at /sys/fs/bpf and could not be mounted");
  return {};
}

void RouteLibbpfLogs(bool verbose) {
  libbpf_set_print(verbose ? LibbpfToSpdlog : LibbpfSilent);
}

}  // namespace zerotrace::probes
