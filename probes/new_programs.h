// Programs started after the agent: each exec is looked at twice, soon
// (~50 ms: the loader has mapped the executable's libraries) and later
// (~1 s: what the program loaded by itself while starting, e.g. Python
// importing ssl), so the right probes are on within a second.
//
// Single-threaded: the agent's main loop owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace zerotrace::probes {

class NewPrograms {
 public:
  static constexpr uint64_t kFirstLookNs = 50'000'000;
  static constexpr uint64_t kSecondLookNs = 1'000'000'000;
  static constexpr size_t kMaxWaiting = 4096;

  // A process execed at now_ns.
  void OnExec(uint32_t pid, uint64_t now_ns);
  // The pids whose look is due at now_ns (each at most once per look).
  std::vector<uint32_t> Due(uint64_t now_ns);

  size_t waiting() const { return first_.size() + second_.size(); }
  uint64_t dropped() const { return dropped_; }  // execs past kMaxWaiting, never looked at

 private:
  struct Waiting {
    uint32_t pid;
    uint64_t due_ns;
  };
  std::deque<Waiting> first_;   // due in exec order
  std::deque<Waiting> second_;
  uint64_t dropped_ = 0;
};

}  // namespace zerotrace::probes
