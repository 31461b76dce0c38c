// The socket syscall tracepoints: loads bpf/socket_trace.bpf.c through its
// skeleton, configures the in-kernel filters, attaches every program, and
// owns them until destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bpf/zerotrace_events.h"
#include "probes/bpf_link.h"
#include "probes/openssl_probes.h"
#include "probes/traceparent_injection.h"

struct socket_trace;

namespace zerotrace::probes {

class GoProbes;
struct GoExecutableReport;

struct SocketTraceOptions {
  uint32_t self_tgid = 0;           // never traced
  std::vector<uint32_t> pids;       // empty: every process
  std::vector<uint16_t> ports;      // empty: every port
  uint32_t ring_buffer_bytes = 8u << 20;  // rounded up to a power of two
  // Wake the reader once this many bytes wait (at most a quarter of the ring);
  // 0: for every event. The reader must poll on a timer too
  // (RingBufferReader::Poll does).
  uint64_t wakeup_min_bytes = 256u << 10;
  // Add a traceparent to traced processes' outgoing HTTP/1.x requests. If the
  // kernel or host cannot, tracing goes on without it (one warning).
  bool inject_traceparent = false;
  // Capture TLS plaintext through uprobes on every OpenSSL found on the host
  // (probes/openssl_libraries.h) and on crypto/tls in Go programs
  // (probes/go_probes.h). Files that cannot be probed are skipped.
  bool tls = true;
};

struct KernelCounters {
  uint64_t events_lost = 0;
  uint64_t connections_tracked = 0;
  uint64_t connections_ignored = 0;
  uint64_t connection_table_full = 0;
  uint64_t traceparents_injected = 0;
  uint64_t injections_skipped = 0;  // request line split across writes, no room
  uint64_t tls_connections = 0;     // sockets found carrying TLS records
  uint64_t tls_without_socket = 0;  // TLS plaintext dropped: its socket was unknown
};

// One BPF program and whether it is attached, for the agent's metrics.
struct ProgramAttachment {
  std::string program;  // the program's name, e.g. "tp_enter_write"
  bool attached = false;
};

class SocketTraceProbes {
 public:
  // Loads and attaches. On failure returns null and sets `error` to one line.
  static std::unique_ptr<SocketTraceProbes> Start(const SocketTraceOptions& options,
                                                  std::string* error);
  ~SocketTraceProbes();
  SocketTraceProbes(const SocketTraceProbes&) = delete;
  SocketTraceProbes& operator=(const SocketTraceProbes&) = delete;

  int events_map_fd() const;
  size_t attached_programs() const;
  // A program started after the agent: probes OpenSSL inside it (its
  // executable, or a libssl it maps that no probe covers yet), and if it is
  // a Go program, its executable (once per file) and its goroutines (every
  // time). Returns the number of files newly probed.
  size_t ProbeProgram(uint32_t pid);
  // Where the OpenSSL probes went (empty when TLS capture is off).
  const std::vector<OpenSslAttachment>& openssl_attachments() const;
  bool injecting_traceparent() const { return injection_ != nullptr; }
  // Where the Go probes went.
  const std::vector<GoExecutableReport>& go_executables() const;
  // Every program Start() tried to attach: the syscall tracepoints (all
  // attached, or Start() failed), the injection pair when asked for (not
  // attached if the host could not), and the uprobes per file (OpenSSL, Go),
  // ProbeProgram's included.
  const std::vector<ProgramAttachment>& programs() const { return programs_; }
  KernelCounters ReadCounters() const;

  // Stops tracing a process (userspace filters such as --exe decided so):
  // its new connections are ignored in the kernel, and so is `fd` if >= 0.
  void IgnoreProcess(uint32_t tgid, int32_t fd);

 private:
  explicit SocketTraceProbes(socket_trace* skel);
  socket_trace* skel_;
  std::vector<BpfLink> links_;
  std::unique_ptr<TraceparentInjection> injection_;
  std::unique_ptr<OpenSslProbes> openssl_;
  std::unique_ptr<GoProbes> go_;
  std::vector<ProgramAttachment> programs_;
  // Adds the metrics entries of Go executables reported since `from`.
  void ListGoExecutables(size_t from);
};

}  // namespace zerotrace::probes
