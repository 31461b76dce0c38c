// What /proc says about one process, read once when the agent first meets it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/process/proc_fs.h"

namespace zerotrace {

struct ProcessFacts {
  uint32_t pid = 0;
  bool found = false;      // any of its /proc files could be read
  std::string exe_path;    // /proc/PID/exe target; empty if unreadable
  std::string comm;        // /proc/PID/comm without the newline (15 bytes max)
  std::optional<uint64_t> start_time_ticks;  // /proc/PID/stat field 22
  // From the process's own initial environment. Only these two variables are
  // kept; the rest of environ (which may hold secrets) is discarded unread.
  std::optional<std::string> otel_service_name;
  std::optional<std::string> otel_resource_attributes;
  // /proc/PID/cgroup as text (which container the process runs in); read
  // only when asked for, empty otherwise or when unreadable.
  std::string cgroup;
};

struct ProcessFactsOptions {
  bool read_cgroup = false;
};

ProcessFacts ReadProcessFacts(const ProcFs& proc, uint32_t pid, ProcessFactsOptions options = {});

}  // namespace zerotrace
