// The processes running now, as /proc lists them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zerotrace::probes {

// The numeric entries of `proc_root` (every process, in directory order);
// empty if it cannot be read.
std::vector<uint32_t> RunningProcessIds(const std::string& proc_root = "/proc");

}  // namespace zerotrace::probes
