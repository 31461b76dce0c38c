// Decides, once per process, whether it is traced: --pid and --exe, and
// never zerotrace itself. The kernel filters --pid and --port on its own;
// this covers what only userspace can see (the executable path).
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

namespace zerotrace {

class ProcessSelector {
 public:
  ProcessSelector(uint32_t self_tgid, std::vector<uint32_t> pids, const std::string& exe_regex,
                  std::string proc_root = "/proc");

  // True when events of `tgid` should become spans. Cached per process;
  // `first_time` (if given) tells whether this call made the decision.
  bool Wanted(uint32_t tgid, bool* first_time = nullptr);
  void Forget(uint32_t tgid) { verdicts_.erase(tgid); }

 private:
  bool Decide(uint32_t tgid) const;

  uint32_t self_tgid_;
  std::vector<uint32_t> pids_;
  std::optional<std::regex> exe_;
  std::string proc_root_;
  std::unordered_map<uint32_t, bool> verdicts_;
};

}  // namespace zerotrace
