#include "probes/new_programs.h"

namespace zerotrace::probes {

void NewPrograms::OnExec(uint32_t pid, uint64_t now_ns) {
  if (waiting() >= kMaxWaiting) {
    ++dropped_;
    return;
  }
  first_.push_back({pid, now_ns + kFirstLookNs});
}

std::vector<uint32_t> NewPrograms::Due(uint64_t now_ns) {
  std::vector<uint32_t> due;
  while (!first_.empty() && first_.front().due_ns <= now_ns) {
    const uint32_t pid = first_.front().pid;
    first_.pop_front();
    due.push_back(pid);
    second_.push_back({pid, now_ns - kFirstLookNs + kSecondLookNs});
  }
  while (!second_.empty() && second_.front().due_ns <= now_ns) {
    due.push_back(second_.front().pid);
    second_.pop_front();
  }
  return due;
}

}  // namespace zerotrace::probes
