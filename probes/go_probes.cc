#include "probes/go_probes.h"

#include <bpf/bpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "probes/go/go_binary.h"
#include "probes/go/return_instructions.h"
#include "probes/uprobe_attach.h"

namespace zerotrace::probes {
namespace {

constexpr std::string_view kTlsWrite = "crypto/tls.(*Conn).Write";
constexpr std::string_view kTlsRead = "crypto/tls.(*Conn).Read";
// The caller's side and the writer's side of one HTTP client request
// (bpf/go_http_client.h).
constexpr std::string_view kPersistConnRoundTrip = "net/http.(*persistConn).roundTrip";
constexpr std::string_view kRequestWrite = "net/http.(*Request).write";

// A Go interface value is {itab or type, data}: the data word is second.
constexpr uint32_t kInterfaceDataWord = 8;
// Executables remembered (Go or not) before the non-Go ones are forgotten:
// a host that runs ever new binaries must not grow the agent for ever.
constexpr size_t kMaxExecutables = 65536;

// Every RET of `function` as file offsets, decoded from the file's bytes as
// read(2) returns them. Not from GoBinary's view of the file: that is a
// read-only private mapping, and the kernel writes the breakpoints of
// uprobes already set on the file (by another agent, bpftrace) into every
// such mapping. A RET under a breakpoint would be missed, and an INT3 in
// place of an instruction's first byte can throw the decoding off, so that a
// probe would land inside an instruction and crash the program.
std::optional<std::vector<uint64_t>> ReturnOffsetsFromFile(const std::string& path,
                                                           const go::GoFunction& function,
                                                           std::string* error) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::vector<uint8_t> code(function.size);
  const ssize_t n = pread(fd, code.data(), code.size(), static_cast<off_t>(function.file_offset));
  close(fd);
  if (n != static_cast<ssize_t>(code.size())) {
    *error = function.name + ": its code is not in " + path;
    return std::nullopt;
  }
  std::optional<std::vector<uint64_t>> addresses =
      go::FindReturnInstructions(code, function.address, error);
  if (!addresses) {
    *error = function.name + ": " + *error;
    return std::nullopt;
  }
  std::vector<uint64_t> offsets;
  for (uint64_t address : *addresses)
    offsets.push_back(function.file_offset + (address - function.address));
  return offsets;
}

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

std::optional<GoExecutableLayout> ReadGoLayout(const go::GoBinary& binary, std::string* error) {
  const go::GoVersion& version = binary.version();
  if (version.major < 1 || (version.major == 1 && version.minor < 17)) {
    *error = "unsupported: " + binary.path() + " (" +
             (binary.version_text().empty() ? "Go version unknown" : binary.version_text()) +
             "): the Go probes need the register ABI of Go 1.17 or later (the goroutine in "
             "R14, arguments in registers)";
    return std::nullopt;
  }
  std::optional<go::GoFieldOffsets> fields = binary.FieldOffsets(error);
  if (!fields) return std::nullopt;
  using go::GoField;
  const std::optional<uint32_t> goid = (*fields)[GoField::kGoroutineId];
  if (!goid) {
    *error = "unsupported: " + binary.path() + " (" + binary.version_text() +
             "): runtime.g.goid not found";
    return std::nullopt;
  }
  GoExecutableLayout layout;
  layout.offsets.goid = *goid;

  const auto tls_conn = (*fields)[GoField::kTlsConnConn];
  const auto tcp_conn = (*fields)[GoField::kTcpConnConn];
  const auto conn_fd = (*fields)[GoField::kConnFd];
  const auto netfd_pfd = (*fields)[GoField::kNetFdPfd];
  const auto sysfd = (*fields)[GoField::kPollFdSysfd];
  if (tls_conn && tcp_conn && conn_fd && netfd_pfd && sysfd) {
    layout.offsets.tls_conn_data = *tls_conn + kInterfaceDataWord;
    layout.offsets.tcp_conn_netfd = *tcp_conn + *conn_fd;
    layout.offsets.netfd_sysfd = *netfd_pfd + *sysfd;
    layout.tls_fields = true;
  }

  // transportRequest embeds *Request as its first field (Go 1.19 checked);
  // DWARF says so where there is DWARF, and the built-in table's coverage
  // stands for it where there is none.
  std::string ignored;
  if (std::optional<uint64_t> request =
          binary.FieldOffset("net/http.transportRequest", "Request", &ignored)) {
    layout.offsets.transport_request = static_cast<uint32_t>(*request);
    layout.client_fields = true;
  } else if (!binary.has_dwarf() &&
             fields->source(GoField::kGoroutineId) == go::FieldSource::kBuiltInTable) {
    layout.offsets.transport_request = 0;
    layout.client_fields = true;
  }
  return layout;
}

bool GoProbes::AttachAt(const std::string& path, bpf_program* entry, uint64_t entry_offset,
                        bpf_program* returns, const std::vector<uint64_t>& return_offsets,
                        std::vector<BpfLink>* links, std::string* error) const {
  const uint64_t entry_offsets[] = {entry_offset};
  if (!AttachUprobesAt(entry, path, entry_offsets, programs_.multi_links, links) ||
      (returns && !AttachUprobesAt(returns, path, return_offsets, programs_.multi_links, links))) {
    *error = std::strerror(errno);
    return false;
  }
  return true;
}

GoProbes::GoProbes(const GoPrograms& programs, int processes_map_fd, bool tls)
    : programs_(programs), processes_map_fd_(processes_map_fd), tls_(tls) {}

GoProbes::~GoProbes() = default;

size_t GoProbes::executables_probed() const {
  size_t n = 0;
  for (const GoExecutableReport& r : reports_) n += r.error.empty();
  return n;
}

size_t GoProbes::AddRunningProcesses(const std::string& proc_root) {
  DIR* proc = opendir(proc_root.c_str());
  if (!proc) return 0;
  size_t probed = 0;
  while (dirent* entry = readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
    const uint32_t pid = static_cast<uint32_t>(std::strtoul(entry->d_name, nullptr, 10));
    bool newly_probed = false;
    LookAt(proc_root + "/" + entry->d_name, pid, &newly_probed);
    probed += newly_probed;
  }
  closedir(proc);
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

  // One function: its entry and every RET, or nothing.
  auto attach_function = [&](std::string_view function, bpf_program* entry_program,
                             bpf_program* return_program, std::vector<BpfLink>* links,
                             std::string* why) {
    const std::optional<go::GoFunction> found = binary->FindFunction(function, why);
    if (!found) return false;
    std::vector<uint64_t> returns;
    if (return_program) {
      // FindReturns for its checks (x86-64 code, all in the file); the
      // offsets come from the file's own bytes.
      if (!binary->FindReturns(*found, why)) return false;
      std::optional<std::vector<uint64_t>> from_file = ReturnOffsetsFromFile(path, *found, why);
      if (!from_file) return false;
      if (from_file->empty()) {
        *why = std::string(function) + " has no RET instruction";
        return false;
      }
      returns = std::move(*from_file);
    }
    if (!AttachAt(path, entry_program, found->file_offset, return_program, returns, links, why)) {
      *why = std::string(function) + ": " + *why;
      return false;
    }
    return true;
  };

  std::vector<BpfLink> links;
  std::string why;
  if (tls_ && layout->tls_fields) {
    std::vector<BpfLink> tls_links;
    if (attach_function(kTlsWrite, programs_.tls_write_enter, programs_.tls_return, &tls_links,
                        &why) &&
        attach_function(kTlsRead, programs_.tls_read_enter, programs_.tls_return, &tls_links,
                        &why)) {
      for (BpfLink& l : tls_links) links.push_back(std::move(l));
      report.attached.emplace_back(kTlsWrite);
      report.attached.emplace_back(kTlsRead);
    } else if (binary->FindFunction(kTlsWrite, &error)) {
      spdlog::info("Go probes: no TLS plaintext from {}: {}", name, NamedAs(why, path, name));
    }
  }
  if (layout->client_fields) {
    std::vector<BpfLink> client_links;
    if (attach_function(kPersistConnRoundTrip, programs_.round_trip, nullptr, &client_links,
                        &why) &&
        attach_function(kRequestWrite, programs_.request_write, nullptr, &client_links, &why)) {
      for (BpfLink& l : client_links) links.push_back(std::move(l));
      report.attached.emplace_back(kPersistConnRoundTrip);
      report.attached.emplace_back(kRequestWrite);
    } else if (binary->FindFunction(kPersistConnRoundTrip, &error)) {
      spdlog::info("Go probes: HTTP client calls of {} will not be linked: {}", name,
                   NamedAs(why, path, name));
    }
  }
  std::string functions;
  for (const std::string& f : report.attached) functions += (functions.empty() ? "" : ", ") + f;
  spdlog::debug("Go probes on {}: {}", name, functions.empty() ? "none (goroutine linking only)"
                                                               : functions);
  for (BpfLink& link : links) links_.push_back(std::move(link));
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
