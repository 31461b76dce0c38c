// Where traceparent injection attaches its sockops program: the cgroup v2
// mount, found in /proc/self/mounts on pure v2, hybrid and v1-only hosts.
#include <gtest/gtest.h>

#include "probes/traceparent_injection.h"

namespace zerotrace::probes {
namespace {

TEST(FindCgroup2Mount, PureV2Host) {
  EXPECT_EQ(FindCgroup2Mount("proc /proc proc rw 0 0\n"
                             "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n"),
            "/sys/fs/cgroup");
}

TEST(FindCgroup2Mount, HybridHostUsesTheUnifiedMount) {
  EXPECT_EQ(FindCgroup2Mount("tmpfs /sys/fs/cgroup tmpfs rw 0 0\n"
                             "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
                             "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n"),
            "/sys/fs/cgroup/unified");
}

TEST(FindCgroup2Mount, SysFsCgroupWinsOverAnEarlierOtherMount) {
  EXPECT_EQ(FindCgroup2Mount("cgroup2 /run/other cgroup2 rw 0 0\n"
                             "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"),
            "/sys/fs/cgroup");
}

TEST(FindCgroup2Mount, NoneMountedIsEmpty) {
  EXPECT_EQ(FindCgroup2Mount("cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"), "");
  EXPECT_EQ(FindCgroup2Mount(""), "");
}

}  // namespace
}  // namespace zerotrace::probes
