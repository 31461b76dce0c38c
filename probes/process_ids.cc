#include "probes/process_ids.h"

#include <dirent.h>

#include <cstdlib>

namespace zerotrace::probes {

std::vector<uint32_t> RunningProcessIds(const std::string& proc_root) {
  std::vector<uint32_t> pids;
  DIR* proc = opendir(proc_root.c_str());
  if (!proc) return pids;
  while (dirent* entry = readdir(proc)) {
    const char* name = entry->d_name;
    if (*name < '1' || *name > '9') continue;  // not a process ("self", "sys", ...)
    pids.push_back(static_cast<uint32_t>(std::strtoul(name, nullptr, 10)));
  }
  closedir(proc);
  return pids;
}

}  // namespace zerotrace::probes
