#include "probes/traceparent_injection.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace zerotrace::probes {

namespace {

std::string ReadMounts() {
  std::ifstream in("/proc/self/mounts");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string FindCgroup2Mount(const std::string& mounts) {
  std::istringstream lines(mounts);
  std::string line, first;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string device, path, type;
    if (!(fields >> device >> path >> type) || type != "cgroup2") continue;
    if (path == "/sys/fs/cgroup") return path;  // a pure v2 host
    if (first.empty()) first = path;
  }
  return first;
}

std::unique_ptr<TraceparentInjection> TraceparentInjection::Attach(bpf_program* sockops,
                                                                   bpf_program* sk_msg,
                                                                   int sockhash_fd,
                                                                   std::string* error) {
  std::unique_ptr<TraceparentInjection> injection(new TraceparentInjection());
  const std::string cgroup_path = FindCgroup2Mount(ReadMounts());
  if (cgroup_path.empty()) {
    *error = "traceparent injection needs cgroup v2, and none is mounted";
    return nullptr;
  }
  const int cgroup_fd = open(cgroup_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup_fd < 0) {
    *error = "traceparent injection: cannot open " + cgroup_path + ": " + std::strerror(errno);
    return nullptr;
  }
  injection->sockops_link_ = BpfLink(bpf_program__attach_cgroup(sockops, cgroup_fd));
  const int attach_errno = errno;
  close(cgroup_fd);
  if (!injection->sockops_link_) {
    *error = "traceparent injection: could not attach sockops to " + cgroup_path +
             " (" + std::strerror(attach_errno) + ")";
    return nullptr;
  }
  const int prog_fd = bpf_program__fd(sk_msg);
  if (bpf_prog_attach(prog_fd, sockhash_fd, BPF_SK_MSG_VERDICT, 0) != 0) {
    *error = std::string("traceparent injection: could not attach sk_msg (") + std::strerror(errno) + ")";
    return nullptr;
  }
  injection->sk_msg_fd_ = prog_fd;
  injection->sockhash_fd_ = sockhash_fd;
  return injection;
}

TraceparentInjection::~TraceparentInjection() {
  // No new sockets join; sockets already in the sockhash leave it when the
  // map goes with the BPF object, right after.
  sockops_link_.Reset();
  if (sk_msg_fd_ >= 0) bpf_prog_detach2(sk_msg_fd_, sockhash_fd_, BPF_SK_MSG_VERDICT);
}

}  // namespace zerotrace::probes
