// Attaches the two programs that add a W3C traceparent to outgoing HTTP/1.x
// requests (bpf/traceparent_injection.h): sockops on the cgroup v2 root, to
// collect traced processes' client sockets into a sockhash, and sk_msg on
// that sockhash, to edit their requests as they are sent.
#pragma once

#include <memory>
#include <string>

#include "probes/bpf_link.h"

struct bpf_program;

namespace zerotrace::probes {

class TraceparentInjection {
 public:
  // On failure returns null and sets `error` to one line (the caller goes on
  // tracing without injection).
  static std::unique_ptr<TraceparentInjection> Attach(bpf_program* sockops, bpf_program* sk_msg,
                                                      int sockhash_fd, std::string* error);
  ~TraceparentInjection();  // detaches both
  TraceparentInjection(const TraceparentInjection&) = delete;
  TraceparentInjection& operator=(const TraceparentInjection&) = delete;

 private:
  TraceparentInjection() = default;

  BpfLink sockops_link_;
  int sk_msg_fd_ = -1;
  int sockhash_fd_ = -1;
};

// Where cgroup v2 is mounted ("/sys/fs/cgroup", or "/sys/fs/cgroup/unified"
// on hybrid hosts), read from `mounts` (/proc/self/mounts format); empty if
// nowhere.
std::string FindCgroup2Mount(const std::string& mounts);

}  // namespace zerotrace::probes
