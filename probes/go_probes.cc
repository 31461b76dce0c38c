#include "probes/go_probes.h"

#include <bpf/bpf.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>

#include "probes/go/go_binary.h"
#include "probes/go_function_attach.h"
#include "probes/go_layout.h"
#include "probes/process_ids.h"

namespace zerotrace::probes {
namespace {

constexpr std::string_view kTlsWrite = "crypto/tls.(*Conn).Write";
constexpr std::string_view kTlsRead = "crypto/tls.(*Conn).Read";
// The caller's side and the writer's side of one HTTP client request
// (bpf/go_http_client.h).
constexpr std::string_view kPersistConnRoundTrip = "net/http.(*persistConn).roundTrip";
constexpr std::string_view kRequestWrite = "net/http.(*Request).write";

// Executables remembered (Go or not) before the non-Go ones are forgotten:
// a host that runs ever new binaries must not grow the agent for ever.
constexpr size_t kMaxExecutables = 65536;

// `text` with the /proc/PID/exe path the file was opened by replaced with
// the name the process knows it by.
std::string NamedAs(std::string text, const std::string& path, const std::string& name) {
  for (size_t at = text.find(path); at != std::string::npos; at = text.find(path, at + name.size()))
    text.replace(at, path.size(), name);
  return text;
}

std::string Readlink(const std::string& path) {
  char target[4096];
  const ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);
  if (n <= 0) return path;
  return std::string(target, static_cast<size_t>(n));
}

}  // namespace

GoProbes::GoProbes(const GoPrograms& programs, int processes_map_fd, bool tls)
    : programs_(programs), processes_map_fd_(processes_map_fd), tls_(tls) {}

GoProbes::~GoProbes() = default;

size_t GoProbes::executables_probed() const {
  size_t n = 0;
  for (const GoExecutableReport& r : reports_) n += r.error.empty();
  return n;
}

size_t GoProbes::AddRunningProcesses(const std::string& proc_root) {
  size_t probed = 0;
  for (uint32_t pid : RunningProcessIds(proc_root)) probed += AddProcess(pid, proc_root);
  return probed;
}

size_t GoProbes::AddProcess(uint32_t pid, const std::string& proc_root) {
  bool newly_probed = false;
  LookAt(proc_root + "/" + std::to_string(pid), pid, &newly_probed);
  return newly_probed ? 1 : 0;
}

void GoProbes::LookAt(const std::string& proc_dir, uint32_t pid, bool* newly_probed) {
  // Through /proc/PID/exe: the file itself, inside a container's mount
  // namespace or deleted since it started.
  const std::string exe = proc_dir + "/exe";
  struct stat st {};
  if (stat(exe.c_str(), &st) != 0) return;  // gone, or a kernel thread
  const std::pair<dev_t, ino_t> identity{st.st_dev, st.st_ino};
  auto it = executables_.find(identity);
  if (it == executables_.end()) {
    if (executables_.size() >= kMaxExecutables) {
      std::erase_if(executables_, [](const auto& e) { return !e.second.offsets; });
    }
    const size_t reports_before = reports_.size();
    it = executables_.emplace(identity, Probe(exe, Readlink(exe))).first;
    *newly_probed = reports_.size() > reports_before && reports_.back().error.empty();
  }
  if (it->second.offsets) Register(pid, *it->second.offsets);
}

GoProbes::Executable GoProbes::Probe(const std::string& path, const std::string& name) {
  std::string error;
  const std::unique_ptr<go::GoBinary> binary = go::GoBinary::Open(path, &error);
  if (!binary) return {};  // not a Go program (most are), or unreadable
  if (spdlog::should_log(spdlog::level::debug))  // Describe() reads every probed function
    spdlog::debug("Go program {}: {}", name, binary->Describe());
  GoExecutableReport report{name, {}, {}};
  std::optional<GoExecutableLayout> layout = ReadGoLayout(*binary, &error);
  if (!layout) {
    report.error = NamedAs(error, path, name);
    spdlog::info("Go probes: skipping {}", report.error);
    reports_.push_back(std::move(report));
    return {};
  }

  // Two functions that only make sense together: both probed, or neither.
  std::string why;
  auto attach_pair = [&](std::string_view first, bpf_program* first_entry,
                         std::string_view second, bpf_program* second_entry,
                         bpf_program* returns) {
    std::vector<BpfLink> links;
    if (!AttachGoFunction(*binary, path, first, first_entry, returns, programs_.multi_links,
                          &links, &why) ||
        !AttachGoFunction(*binary, path, second, second_entry, returns, programs_.multi_links,
                          &links, &why))
      return false;
    for (BpfLink& link : links) links_.push_back(std::move(link));
    report.attached.emplace_back(first);
    report.attached.emplace_back(second);
    return true;
  };

  if (tls_ && layout->tls_fields &&
      !attach_pair(kTlsWrite, programs_.tls_write_enter, kTlsRead, programs_.tls_read_enter,
                   programs_.tls_return) &&
      binary->FindFunction(kTlsWrite, &error)) {
    spdlog::info("Go probes: no TLS plaintext from {}: {}", name, NamedAs(why, path, name));
  }
  if (layout->client_fields &&
      !attach_pair(kPersistConnRoundTrip, programs_.round_trip, kRequestWrite,
                   programs_.request_write, nullptr) &&
      binary->FindFunction(kPersistConnRoundTrip, &error)) {
    spdlog::info("Go probes: HTTP client calls of {} will not be linked: {}", name,
                 NamedAs(why, path, name));
  }
  std::string functions;
  for (const std::string& f : report.attached) functions += (functions.empty() ? "" : ", ") + f;
  spdlog::debug("Go probes on {}: {}", name, functions.empty() ? "none (goroutine linking only)"
                                                               : functions);
  reports_.push_back(std::move(report));
  return {layout->offsets};
}

void GoProbes::Register(uint32_t pid, const go_process& offsets) {
  if (bpf_map_update_elem(processes_map_fd_, &pid, &offsets, BPF_ANY) == 0) {
    ++processes_registered_;
  } else {
    spdlog::debug("Go probes: could not register process {}: {}", pid, std::strerror(errno));
  }
}

}  // namespace zerotrace::probes
