// Checks and fixes the host needs before any BPF object is loaded, so a user
// gets one line saying what to do instead of libbpf's diagnostics.
#pragma once

#include <string>

#include "probes/privilege_check.h"

namespace zerotrace::probes {

// Empty when the host is ready; otherwise one line naming the problem and
// the fix: first a missing capability (what `needs` calls for), then BTF and
// tracefs. Mounts tracefs and bpffs when they are missing and it can.
std::string PrepareBpfEnvironment(const PrivilegeNeeds& needs = {});

// Routes libbpf's own messages to spdlog: debug level when verbose, and
// dropped otherwise.
void RouteLibbpfLogs(bool verbose);

}  // namespace zerotrace::probes
