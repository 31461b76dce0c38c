// The Go probes: for each Go executable (once per file, by device and
// inode), uprobes at the entry and on every RET of crypto/tls.(*Conn).Write
// and .Read (bpf/go_tls.h), and at the entry of the two net/http client
// functions that carry a request from its caller to the goroutine writing it
// (bpf/go_http_client.h); and for each process running such a program, its
// entry in the kernel's go_processes map (tgid → struct field offsets), which
// also switches the kernel's linking rules from threads to goroutines for
// that process (bpf/go_runtime.h).
//
// Not thread-safe: the agent's main loop owns it.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpf/socket_trace_maps.h"
#include "probes/bpf_link.h"

struct bpf_program;

namespace zerotrace::probes {

// The programs of the socket_trace object that go on Go functions.
struct GoPrograms {
  bpf_program* tls_write_enter = nullptr;
  bpf_program* tls_read_enter = nullptr;
  bpf_program* tls_return = nullptr;  // every RET of Write and Read
  bpf_program* round_trip = nullptr;
  bpf_program* request_write = nullptr;
  // Loaded for uprobe_multi links (probes/uprobe_attach.h): one link per
  // program and function. Otherwise one perf-event uprobe per offset.
  bool multi_links = false;
};

// What happened at one Go executable, for --verbose and the agent's metrics.
struct GoExecutableReport {
  std::string path;
  std::vector<std::string> attached;  // function names probed (entry and returns)
  std::string error;                  // why the file is not used; empty if it is
};

class GoProbes {
 public:
  // processes_map_fd: the go_processes map. tls: attach the crypto/tls
  // probes (off when TLS capture is).
  GoProbes(const GoPrograms& programs, int processes_map_fd, bool tls);
  ~GoProbes();
  GoProbes(const GoProbes&) = delete;
  GoProbes& operator=(const GoProbes&) = delete;

  // Every running process (at start). Returns the Go executables probed.
  size_t AddRunningProcesses(const std::string& proc_root = "/proc");
  // One process (a program just started): probes its executable if it is
  // a Go program not met before, and registers the process. Returns 1 when
  // an executable was newly probed, else 0.
  size_t AddProcess(uint32_t pid, const std::string& proc_root = "/proc");

  const std::vector<GoExecutableReport>& executables() const { return reports_; }
  size_t executables_probed() const;
  size_t links() const { return links_.size(); }
  // go_processes entries written (a process looked at twice counts twice).
  size_t processes_registered() const { return processes_registered_; }

 private:
  // An executable looked at: Go or not, usable or not.
  struct Executable {
    std::optional<go_process> offsets;  // set: its processes are registered
  };

  // Looks at pid's executable (once per file) and registers pid if usable.
  // Sets *newly_probed when this call attached probes to a new file.
  void LookAt(const std::string& proc_dir, uint32_t pid, bool* newly_probed);
  // path: where to open and attach (/proc/PID/exe); name: for messages.
  Executable Probe(const std::string& path, const std::string& name);
  void Register(uint32_t pid, const go_process& offsets);

  GoPrograms programs_;
  int processes_map_fd_;
  bool tls_;
  std::vector<BpfLink> links_;
  std::vector<GoExecutableReport> reports_;
  std::map<std::pair<dev_t, ino_t>, Executable> executables_;
  size_t processes_registered_ = 0;
};

}  // namespace zerotrace::probes
