// The capability preflight: which effective sets let the agent start, and
// the one line it prints when a capability is missing.
#include "probes/privilege_check.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/resource.h>

#include <fstream>
#include <optional>
#include <string>

namespace zerotrace::probes {
namespace {

constexpr CapabilitySet kTracing = CapabilityBit(CAP_BPF) | CapabilityBit(CAP_PERFMON) |
                                   CapabilityBit(CAP_SYS_PTRACE) |
                                   CapabilityBit(CAP_DAC_READ_SEARCH);
constexpr PrivilegeNeeds kPlain{};
constexpr PrivilegeNeeds kInjecting{.inject_traceparent = true};

bool Names(const std::string& line, const std::string& capability) {
  return line.find(capability) != std::string::npos;
}

TEST(DescribeMissingCapabilities, MinimalTracingSetStarts) {
  EXPECT_EQ(DescribeMissingCapabilities(kTracing, kPlain), "");
}

TEST(DescribeMissingCapabilities, EveryCapabilityStartsLikeRoot) {
  EXPECT_EQ(DescribeMissingCapabilities(~CapabilitySet{0}, kInjecting), "");
}

TEST(DescribeMissingCapabilities, NetAdminIsNotNeededWithoutInjection) {
  EXPECT_EQ(DescribeMissingCapabilities(kTracing & ~CapabilityBit(CAP_NET_ADMIN), kPlain), "");
}

TEST(DescribeMissingCapabilities, InjectionNeedsNetAdmin) {
  const std::string line = DescribeMissingCapabilities(kTracing, kInjecting);
  EXPECT_EQ(line,
            "missing capability CAP_NET_ADMIN (needed for --inject-traceparent's sockops and "
            "sk_msg programs); run as root or grant it (setcap on the binary, "
            "AmbientCapabilities= in a systemd unit, or securityContext.capabilities.add in "
            "the DaemonSet)");
  EXPECT_EQ(DescribeMissingCapabilities(kTracing | CapabilityBit(CAP_NET_ADMIN), kInjecting), "");
}

// Each one alone: the line names it, and only it.
TEST(DescribeMissingCapabilities, EachMissingTracingCapabilityIsNamedAlone) {
  const struct {
    int capability;
    const char* name;
    const char* purpose;
  } cases[] = {
      {CAP_BPF, "CAP_BPF", "BPF maps"},
      {CAP_PERFMON, "CAP_PERFMON", "tracepoints"},
      {CAP_SYS_PTRACE, "CAP_SYS_PTRACE", "/proc/PID/exe"},
      {CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH", "tracefs"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string line = DescribeMissingCapabilities(kTracing & ~CapabilityBit(c.capability), kPlain);
    EXPECT_EQ(line.rfind(std::string("missing capability ") + c.name + " (needed ", 0), 0u) << line;
    EXPECT_TRUE(Names(line, c.purpose)) << line;
    EXPECT_TRUE(Names(line, "grant it")) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
    for (const auto& other : cases) {
      if (other.capability != c.capability) {
        EXPECT_FALSE(Names(line, other.name)) << line;
      }
    }
  }
}

TEST(DescribeMissingCapabilities, NoCapabilitiesNamesAllFourInOneLine) {
  const std::string line = DescribeMissingCapabilities(0, kPlain);
  EXPECT_EQ(line.rfind("missing capabilities CAP_BPF (needed ", 0), 0u) << line;
  EXPECT_TRUE(Names(line, "), CAP_PERFMON (needed ")) << line;
  EXPECT_TRUE(Names(line, "), CAP_SYS_PTRACE (needed ")) << line;
  EXPECT_TRUE(Names(line, ") and CAP_DAC_READ_SEARCH (needed ")) << line;
  EXPECT_TRUE(Names(line, "grant them")) << line;
  EXPECT_FALSE(Names(line, "CAP_NET_ADMIN")) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(DescribeMissingCapabilities, TwoMissingAreJoinedWithAnd) {
  const std::string line = DescribeMissingCapabilities(
      CapabilityBit(CAP_BPF) | CapabilityBit(CAP_PERFMON), kPlain);
  EXPECT_TRUE(Names(line, "missing capabilities CAP_SYS_PTRACE (needed ")) << line;
  EXPECT_TRUE(Names(line, ") and CAP_DAC_READ_SEARCH (needed ")) << line;
}

// The kernel accepts CAP_SYS_ADMIN wherever it asks for CAP_BPF, CAP_PERFMON
// or (for BPF networking programs and maps) CAP_NET_ADMIN.
TEST(DescribeMissingCapabilities, SysAdminStandsInForBpfPerfmonAndNetAdmin) {
  const CapabilitySet with_sys_admin = CapabilityBit(CAP_SYS_ADMIN) |
                                       CapabilityBit(CAP_SYS_PTRACE) |
                                       CapabilityBit(CAP_DAC_READ_SEARCH);
  EXPECT_EQ(DescribeMissingCapabilities(with_sys_admin, kPlain), "");
  EXPECT_EQ(DescribeMissingCapabilities(with_sys_admin, kInjecting), "");
}

// ... but not for reading other processes' /proc files.
TEST(DescribeMissingCapabilities, SysAdminDoesNotStandInForPtraceOrDacReadSearch) {
  const std::string line = DescribeMissingCapabilities(CapabilityBit(CAP_SYS_ADMIN), kPlain);
  EXPECT_TRUE(Names(line, "CAP_SYS_PTRACE")) << line;
  EXPECT_TRUE(Names(line, "CAP_DAC_READ_SEARCH")) << line;
  EXPECT_FALSE(Names(line, "CAP_BPF")) << line;
  EXPECT_FALSE(Names(line, "CAP_PERFMON")) << line;
}

TEST(DescribeMissingCapabilities, DacOverrideStandsInForDacReadSearch) {
  const CapabilitySet set =
      (kTracing & ~CapabilityBit(CAP_DAC_READ_SEARCH)) | CapabilityBit(CAP_DAC_OVERRIDE);
  EXPECT_EQ(DescribeMissingCapabilities(set, kPlain), "");
}

// Capabilities the agent never asks for change nothing.
TEST(DescribeMissingCapabilities, UnrelatedCapabilitiesDoNotCount) {
  const CapabilitySet unrelated = CapabilityBit(CAP_NET_RAW) | CapabilityBit(CAP_SYS_RESOURCE) |
                                  CapabilityBit(CAP_CHOWN) | CapabilityBit(CAP_SETUID);
  const std::string line = DescribeMissingCapabilities(unrelated, kPlain);
  EXPECT_TRUE(Names(line, "CAP_BPF")) << line;
  EXPECT_TRUE(Names(line, "CAP_DAC_READ_SEARCH")) << line;
}

// /proc/self/uid_map as the kernel prints it (right-aligned columns).
TEST(DescribeUserNamespaceProblem, HostNamespaceIsFine) {
  EXPECT_EQ(DescribeUserNamespaceProblem("         0          0 4294967295\n"), "");
}

TEST(DescribeUserNamespaceProblem, RootlessContainerIsOneLine) {
  const std::string line = DescribeUserNamespaceProblem("         0       1000          1\n");
  EXPECT_TRUE(Names(line, "user namespace other than the host's")) << line;
  EXPECT_TRUE(Names(line, "uid 0 is host uid 1000, 1 uids mapped")) << line;
  EXPECT_TRUE(Names(line, "rootless")) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(DescribeUserNamespaceProblem, RemappedRangesAreNotTheHost) {
  EXPECT_NE(DescribeUserNamespaceProblem("         0     100000      65536\n"), "");
  EXPECT_NE(DescribeUserNamespaceProblem("         0          0       1000\n"
                                         "      1000     101000      64536\n"),
            "");
}

TEST(DescribeUserNamespaceProblem, EmptyMapIsNotTheHost) {
  EXPECT_TRUE(Names(DescribeUserNamespaceProblem(""), "no uid mapped"));
}

constexpr uint64_t k64KiB = 64 * 1024;

// Linux 5.10 (Amazon Linux 2, Debian 11) still charges maps to RLIMIT_MEMLOCK.
TEST(DescribeMemlockProblem, OldKernelWithLowHardLimitAndNoSysResourceNamesBothFixes) {
  const std::string line = DescribeMemlockProblem(5, 10, k64KiB, kTracing);
  EXPECT_TRUE(Names(line, "Linux 5.10 charges BPF maps to RLIMIT_MEMLOCK")) << line;
  EXPECT_TRUE(Names(line, "64 KiB")) << line;
  EXPECT_TRUE(Names(line, "CAP_SYS_RESOURCE")) << line;
  EXPECT_TRUE(Names(line, "LimitMEMLOCK=infinity")) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(DescribeMemlockProblem, SysResourceLetsLibbpfRaiseTheLimit) {
  EXPECT_EQ(DescribeMemlockProblem(5, 10, k64KiB, kTracing | CapabilityBit(CAP_SYS_RESOURCE)), "");
}

TEST(DescribeMemlockProblem, UnlimitedHardLimitNeedsNoCapability) {
  EXPECT_EQ(DescribeMemlockProblem(5, 10, RLIM_INFINITY, kTracing), "");
}

// From 5.11 the memory cgroup pays: the limit no longer matters.
TEST(DescribeMemlockProblem, Kernel5_11AndLaterIgnoreTheLimit) {
  EXPECT_EQ(DescribeMemlockProblem(5, 11, k64KiB, kTracing), "");
  EXPECT_EQ(DescribeMemlockProblem(6, 1, k64KiB, kTracing), "");
  EXPECT_EQ(DescribeMemlockProblem(6, 18, 0, kTracing), "");
  EXPECT_NE(DescribeMemlockProblem(4, 19, k64KiB, kTracing), "");
}

// capget(2) and the kernel's own report in /proc/self/status agree.
TEST(ReadEffectiveCapabilities, MatchesCapEffInProcSelfStatus) {
  std::ifstream status("/proc/self/status");
  std::string line;
  std::optional<CapabilitySet> from_status;
  while (std::getline(status, line))
    if (line.rfind("CapEff:", 0) == 0) from_status = std::stoull(line.substr(7), nullptr, 16);
  ASSERT_TRUE(from_status.has_value()) << "no CapEff line in /proc/self/status";
  const std::optional<CapabilitySet> effective = ReadEffectiveCapabilities();
  ASSERT_TRUE(effective.has_value());
  EXPECT_EQ(*effective, *from_status);
}

}  // namespace
}  // namespace zerotrace::probes
