// One attachment of a BPF program, detached when this goes: a libbpf link,
// or the bare fd of a link libbpf 1.1 has no API for (uprobe_multi).
#pragma once

#include <utility>

struct bpf_link;

namespace zerotrace::probes {

class BpfLink {
 public:
  BpfLink() = default;
  // Takes ownership; null makes an empty link (a failed attach).
  explicit BpfLink(bpf_link* link) : link_(link) {}
  static BpfLink FromFd(int fd);  // fd < 0 makes an empty link
  BpfLink(BpfLink&& other) noexcept
      : link_(std::exchange(other.link_, nullptr)), fd_(std::exchange(other.fd_, -1)) {}
  BpfLink& operator=(BpfLink&& other) noexcept;
  BpfLink(const BpfLink&) = delete;
  BpfLink& operator=(const BpfLink&) = delete;
  ~BpfLink() { Reset(); }

  explicit operator bool() const { return link_ != nullptr || fd_ >= 0; }
  void Reset();  // detaches now

 private:
  bpf_link* link_ = nullptr;
  int fd_ = -1;
};

}  // namespace zerotrace::probes
