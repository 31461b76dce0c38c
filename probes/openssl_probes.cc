#include "probes/openssl_probes.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace zerotrace::probes {

void OpenSslProbes::LinkDestroyer::operator()(bpf_link* link) const { bpf_link__destroy(link); }

OpenSslProbes::~OpenSslProbes() { links_.clear(); }

OpenSslProbes::Link OpenSslProbes::AttachAt(bpf_program* prog, const std::string& path,
                                            const char* function, bool return_probe) {
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = return_probe, .func_name = function);
  return Link(bpf_program__attach_uprobe_opts(prog, -1 /* every process */, path.c_str(), 0,
                                              &opts));
}

size_t OpenSslProbes::files_probed() const {
  size_t n = 0;
  for (const auto& a : attachments_) n += a.error.empty();
  return n;
}

std::unique_ptr<OpenSslProbes> OpenSslProbes::Attach(const OpenSslPrograms& programs,
                                                     const std::vector<OpenSslTarget>& targets) {
  std::unique_ptr<OpenSslProbes> probes(new OpenSslProbes(programs));
  probes->Add(targets);
  return probes;
}

size_t OpenSslProbes::Add(const std::vector<OpenSslTarget>& targets) {
  size_t added = 0;
  for (const OpenSslTarget& target : targets) {
    struct stat st {};
    if (stat(target.path.c_str(), &st) != 0 || !tried_.insert({st.st_dev, st.st_ino}).second)
      continue;
    attachments_.push_back(AttachFile(target));
    added += attachments_.back().error.empty();
  }
  return added;
}

OpenSslAttachment OpenSslProbes::AttachFile(const OpenSslTarget& target) {
  struct Probe {
    const char* function;
    bpf_program* entry;
    bool required;  // without it the file is not worth probing
    bool returns;   // needs the return probe too
  };
  const Probe kProbes[] = {
      {"SSL_write", programs_.write_enter, true, true},
      {"SSL_read", programs_.read_enter, true, true},
      {"SSL_write_ex", programs_.write_ex_enter, false, true},
      {"SSL_read_ex", programs_.read_ex_enter, false, true},
      {"SSL_set_fd", programs_.set_fd, false, false},
      {"SSL_free", programs_.free, false, false},
  };
  OpenSslAttachment report{target.path, {}, {}};
  std::vector<Link> links;
  for (const Probe& probe : kProbes) {
    Link entry = AttachAt(probe.entry, target.path, probe.function, false);
    int err = errno;
    Link exit;
    if (entry && probe.returns) {
      exit = AttachAt(programs_.call_exit, target.path, probe.function, true);
      err = errno;
    }
    if (!entry || (probe.returns && !exit)) {
      if (!probe.required) continue;
      report.error = std::string(probe.function) + ": " + std::strerror(err);
      report.attached.clear();
      spdlog::debug("OpenSSL probes not set on {}: {}", target.path, report.error);
      return report;
    }
    links.push_back(std::move(entry));
    if (exit) links.push_back(std::move(exit));
    report.attached.push_back(probe.function);
  }
  std::string functions;
  for (const std::string& f : report.attached) functions += (functions.empty() ? "" : ", ") + f;
  spdlog::debug("OpenSSL probes on {}: {}", target.path, functions);
  for (Link& link : links) links_.push_back(std::move(link));
  return report;
}

}  // namespace zerotrace::probes
