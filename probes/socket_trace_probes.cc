#include "probes/socket_trace_probes.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "bpf/socket_trace_maps.h"
#include "probes/go_probes.h"
#include "probes/uprobe_attach.h"
#include "socket_trace.skel.h"

namespace zerotrace::probes {
namespace {

uint32_t RoundUpToPowerOfTwo(uint32_t v) {
  uint32_t p = 4096;
  while (p < v && p < (1u << 30)) p <<= 1;
  return p;
}

std::string ErrnoText(int err) { return std::strerror(err < 0 ? -err : err); }

}  // namespace

std::unique_ptr<SocketTraceProbes> SocketTraceProbes::Start(const SocketTraceOptions& options,
                                                            std::string* error) {
  socket_trace* skel = socket_trace__open();
  if (!skel) {
    *error = "could not open the socket tracing BPF object: " + ErrnoText(errno);
    return nullptr;
  }
  std::unique_ptr<SocketTraceProbes> probes(new SocketTraceProbes(skel));

  skel->rodata->self_tgid = options.self_tgid;
  skel->rodata->filter_by_pid = options.pids.empty() ? 0 : 1;
  size_t nports = std::min<size_t>(options.ports.size(), ZT_MAX_FILTER_PORTS);
  if (options.ports.size() > ZT_MAX_FILTER_PORTS)
    spdlog::warn("only the first {} --port values are used", ZT_MAX_FILTER_PORTS);
  skel->rodata->filter_port_count = static_cast<uint32_t>(nports);
  for (size_t i = 0; i < nports; ++i) skel->rodata->filter_ports[i] = options.ports[i];
  uint32_t ring_bytes = RoundUpToPowerOfTwo(options.ring_buffer_bytes);
  bpf_map__set_max_entries(skel->maps.events, ring_bytes);
  skel->rodata->wakeup_min_bytes = std::min<uint64_t>(options.wakeup_min_bytes, ring_bytes / 4);
  skel->rodata->inject_enabled = options.inject_traceparent ? 1 : 0;
  // Not even loaded unless asked for: kernels without sk_msg still trace.
  bpf_program__set_autoload(skel->progs.zt_sockops, options.inject_traceparent);
  bpf_program__set_autoload(skel->progs.zt_inject_traceparent, options.inject_traceparent);
  // A SOCKHASH needs CAP_NET_ADMIN to exist: only injection uses it.
  bpf_map__set_autocreate(skel->maps.inject_socks, options.inject_traceparent);
  const OpenSslPrograms openssl_programs{
      skel->progs.zt_ssl_write_enter, skel->progs.zt_ssl_write_ex_enter,
      skel->progs.zt_ssl_read_enter,  skel->progs.zt_ssl_read_ex_enter,
      skel->progs.zt_ssl_call_exit,   skel->progs.zt_ssl_set_fd,
      skel->progs.zt_ssl_free};
  for (bpf_program* p : {openssl_programs.write_enter, openssl_programs.write_ex_enter,
                         openssl_programs.read_enter, openssl_programs.read_ex_enter,
                         openssl_programs.call_exit, openssl_programs.set_fd, openssl_programs.free})
    bpf_program__set_autoload(p, options.tls);
  skel->rodata->tls_probes = options.tls ? 1 : 0;
  GoPrograms go_programs{skel->progs.zt_go_tls_write_enter, skel->progs.zt_go_tls_read_enter,
                         skel->progs.zt_go_tls_return, skel->progs.zt_go_round_trip,
                         skel->progs.zt_go_request_write};
  for (bpf_program* p : {go_programs.tls_write_enter, go_programs.tls_read_enter,
                         go_programs.tls_return})
    bpf_program__set_autoload(p, options.tls);
  go_programs.multi_links = KernelHasUprobeMultiLinks();
  if (go_programs.multi_links) {
    for (bpf_program* p : {go_programs.tls_write_enter, go_programs.tls_read_enter,
                           go_programs.tls_return, go_programs.round_trip,
                           go_programs.request_write})
      UseUprobeMultiLinks(p);
  }

  if (int err = socket_trace__load(skel); err != 0) {
    // The capabilities were checked before (probes/privilege_check.h): an
    // EPERM now comes from a seccomp filter, an LSM or lockdown.
    *error = "the kernel refused to load the socket tracing programs (" + ErrnoText(err) + "); " +
             (err == -EPERM || err == EPERM
                  ? "the capabilities it needs are held, so a seccomp filter (a container "
                    "runtime's default profile: use seccompProfile Unconfined), an LSM policy or "
                    "kernel lockdown refuses bpf(); run with --verbose to see which call failed"
                  : "run with --verbose to see the verifier's reason");
    return nullptr;
  }

  int verdict_fd = bpf_map__fd(skel->maps.tgid_verdict);
  for (uint32_t pid : options.pids) {
    uint8_t v = ZT_TGID_TRACE;
    bpf_map_update_elem(verdict_fd, &pid, &v, BPF_ANY);
  }

  // Attach one by one so a failure names the tracepoint that failed.
  bpf_program* prog = nullptr;
  bpf_object__for_each_program(prog, skel->obj) {
    if (prog == skel->progs.zt_sockops || prog == skel->progs.zt_inject_traceparent) continue;
    if (!bpf_program__autoload(prog) ||
        std::strncmp(bpf_program__section_name(prog), "uprobe", 6) == 0 ||
        std::strncmp(bpf_program__section_name(prog), "uretprobe", 9) == 0)
      continue;  // the OpenSSL and Go probes go on files, below
    BpfLink link(bpf_program__attach(prog));
    if (!link) {
      int err = errno;
      *error = std::string("could not attach tracepoint '") + bpf_program__section_name(prog) +
               "' (" + ErrnoText(err) + "): is tracefs mounted and the syscall tracepoint present?";
      return nullptr;
    }
    probes->links_.push_back(std::move(link));
    probes->programs_.push_back({bpf_program__name(prog), true});
  }

  if (options.inject_traceparent) {
    std::string why;
    probes->injection_ = TraceparentInjection::Attach(skel->progs.zt_sockops,
                                                      skel->progs.zt_inject_traceparent,
                                                      bpf_map__fd(skel->maps.inject_socks), &why);
    if (!probes->injection_)
      spdlog::warn("{}; tracing without it (traces will not continue on other hosts)", why);
    for (bpf_program* injector : {skel->progs.zt_sockops, skel->progs.zt_inject_traceparent})
      probes->programs_.push_back({bpf_program__name(injector), probes->injection_ != nullptr});
  }
  if (options.tls) {
    probes->openssl_ = OpenSslProbes::Attach(openssl_programs, FindOpenSslTargets());
    for (const OpenSslAttachment& a : probes->openssl_->attachments()) {
      for (const std::string& function : a.attached)
        probes->programs_.push_back({"uprobe:" + a.path + ":" + function, true});
      if (!a.error.empty()) probes->programs_.push_back({"uprobe:" + a.path, false});
    }
    spdlog::info("TLS plaintext: OpenSSL probed in {} of {} files found",
                 probes->openssl_->files_probed(), probes->openssl_->attachments().size());
  }
  probes->go_ = std::make_unique<GoProbes>(go_programs, bpf_map__fd(skel->maps.go_processes),
                                           options.tls);
  const auto go_scan_start = std::chrono::steady_clock::now();
  probes->go_->AddRunningProcesses();
  spdlog::debug("Go programs: running processes looked at in {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - go_scan_start)
                    .count());
  probes->ListGoExecutables(0);
  spdlog::info("Go programs: {} executable(s) probed, {} running process(es) followed by goroutine",
               probes->go_->executables_probed(), probes->go_->processes_registered());
  return probes;
}

void SocketTraceProbes::ListGoExecutables(size_t from) {
  const auto& all = go_->executables();
  for (size_t i = from; i < all.size(); ++i) {
    for (const std::string& function : all[i].attached)
      programs_.push_back({"uprobe:" + all[i].path + ":" + function, true});
    if (!all[i].error.empty()) programs_.push_back({"uprobe:" + all[i].path, false});
  }
}

size_t SocketTraceProbes::ProbeProgram(uint32_t pid) {
  size_t added = 0;
  if (go_) {
    const size_t before = go_->executables().size();
    added += go_->AddProcess(pid);
    ListGoExecutables(before);
    if (added > 0) spdlog::info("Go probes on {} (pid {})", go_->executables().back().path, pid);
  }
  if (!openssl_) return added;
  const size_t before = openssl_->attachments().size();
  const size_t openssl_added = openssl_->Add(OpenSslTargetsOfProcess(pid));
  const auto& all = openssl_->attachments();
  for (size_t i = before; i < all.size(); ++i) {
    for (const std::string& function : all[i].attached)
      programs_.push_back({"uprobe:" + all[i].path + ":" + function, true});
    if (!all[i].error.empty()) programs_.push_back({"uprobe:" + all[i].path, false});
  }
  if (openssl_added > 0)
    spdlog::info("TLS plaintext: OpenSSL probed in {} more file(s) (pid {})", openssl_added, pid);
  return added + openssl_added;
}

const std::vector<OpenSslAttachment>& SocketTraceProbes::openssl_attachments() const {
  static const std::vector<OpenSslAttachment> kNone;
  return openssl_ ? openssl_->attachments() : kNone;
}

SocketTraceProbes::SocketTraceProbes(socket_trace* skel) : skel_(skel) {}

size_t SocketTraceProbes::attached_programs() const {
  return links_.size() + (injection_ ? 2 : 0) + (openssl_ ? openssl_->links() : 0) +
         (go_ ? go_->links() : 0);
}

const std::vector<GoExecutableReport>& SocketTraceProbes::go_executables() const {
  static const std::vector<GoExecutableReport> kNone;
  return go_ ? go_->executables() : kNone;
}

SocketTraceProbes::~SocketTraceProbes() {
  injection_.reset();
  openssl_.reset();
  go_.reset();
  links_.clear();  // detach before the programs go
  socket_trace__destroy(skel_);
}

int SocketTraceProbes::events_map_fd() const { return bpf_map__fd(skel_->maps.events); }

KernelCounters SocketTraceProbes::ReadCounters() const {
  KernelCounters out;
  int fd = bpf_map__fd(skel_->maps.counters);
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return out;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu));
  auto sum = [&](uint32_t which) -> uint64_t {
    if (bpf_map_lookup_elem(fd, &which, per_cpu.data()) != 0) return 0;
    uint64_t total = 0;
    for (uint64_t v : per_cpu) total += v;
    return total;
  };
  out.events_lost = sum(ZT_COUNTER_EVENTS_LOST);
  out.connections_tracked = sum(ZT_COUNTER_CONNS_TRACKED);
  out.connections_ignored = sum(ZT_COUNTER_CONNS_IGNORED);
  out.connection_table_full = sum(ZT_COUNTER_CONN_TABLE_FULL);
  out.traceparents_injected = sum(ZT_COUNTER_INJECTED);
  out.injections_skipped = sum(ZT_COUNTER_INJECT_SKIPPED);
  out.tls_connections = sum(ZT_COUNTER_TLS_CONNS);
  out.tls_without_socket = sum(ZT_COUNTER_TLS_NO_FD);
  return out;
}

void SocketTraceProbes::IgnoreProcess(uint32_t tgid, int32_t fd) {
  uint8_t v = ZT_TGID_IGNORE;
  bpf_map_update_elem(bpf_map__fd(skel_->maps.tgid_verdict), &tgid, &v, BPF_ANY);
  if (fd < 0) return;
  uint64_t key = conn_key(tgid, fd);
  conn_state state{};
  int conns_fd = bpf_map__fd(skel_->maps.conns);
  if (bpf_map_lookup_elem(conns_fd, &key, &state) == 0) {
    state.protocol = ZT_PROTO_OTHER;
    bpf_map_update_elem(conns_fd, &key, &state, BPF_EXIST);
  }
}

}  // namespace zerotrace::probes
