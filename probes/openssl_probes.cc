#include "probes/openssl_probes.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "probes/uprobe_attach.h"

namespace zerotrace::probes {

OpenSslProbes::~OpenSslProbes() { links_.clear(); }

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
  std::vector<BpfLink> links;
  for (const Probe& probe : kProbes) {
    BpfLink entry = AttachUprobe(probe.entry, {.path = target.path, .symbol = probe.function});
    int err = errno;
    BpfLink exit;
    if (entry && probe.returns) {
      exit = AttachUprobe(programs_.call_exit,
                          {.path = target.path, .symbol = probe.function, .retprobe = true});
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
  for (BpfLink& link : links) links_.push_back(std::move(link));
  return report;
}

}  // namespace zerotrace::probes
