#include "probes/bpf_link.h"

#include <bpf/libbpf.h>
#include <unistd.h>

namespace zerotrace::probes {

BpfLink BpfLink::FromFd(int fd) {
  BpfLink link;
  link.fd_ = fd < 0 ? -1 : fd;
  return link;
}

BpfLink& BpfLink::operator=(BpfLink&& other) noexcept {
  if (this != &other) {
    Reset();
    link_ = std::exchange(other.link_, nullptr);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void BpfLink::Reset() {
  if (link_ != nullptr) bpf_link__destroy(std::exchange(link_, nullptr));
  if (fd_ >= 0) close(std::exchange(fd_, -1));
}

}  // namespace zerotrace::probes
