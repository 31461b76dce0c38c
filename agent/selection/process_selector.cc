#include "agent/selection/process_selector.h"

#include <algorithm>
#include <filesystem>

namespace zerotrace {

ProcessSelector::ProcessSelector(uint32_t self_tgid, std::vector<uint32_t> pids,
                                 const std::string& exe_regex, std::string proc_root)
    : self_tgid_(self_tgid), pids_(std::move(pids)), proc_root_(std::move(proc_root)) {
  if (!exe_regex.empty()) exe_.emplace(exe_regex, std::regex::ECMAScript | std::regex::optimize);
}

bool ProcessSelector::Wanted(uint32_t tgid, bool* first_time) {
  auto it = verdicts_.find(tgid);
  if (first_time) *first_time = it == verdicts_.end();
  if (it != verdicts_.end()) return it->second;
  if (verdicts_.size() > 65536) verdicts_.clear();  // pids recycle; keep it bounded
  bool wanted = Decide(tgid);
  verdicts_.emplace(tgid, wanted);
  return wanted;
}

bool ProcessSelector::Decide(uint32_t tgid) const {
  if (tgid == self_tgid_) return false;
  if (!pids_.empty() && std::find(pids_.begin(), pids_.end(), tgid) == pids_.end()) return false;
  if (!exe_) return true;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink(proc_root_ + "/" + std::to_string(tgid) + "/exe", ec);
  // A process that is gone cannot be matched; its events are dropped.
  return !ec && std::regex_search(exe.string(), *exe_);
}

}  // namespace zerotrace
