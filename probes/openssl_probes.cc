#include "probes/openssl_probes.h"

#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

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
  std::unique_ptr<OpenSslProbes> probes(new OpenSslProbes());
  struct Probe {
    const char* function;
    bpf_program* entry;
    bool required;  // without it the file is not worth probing
  };
  const Probe kProbes[] = {
      {"SSL_write", programs.write_enter, true},   {"SSL_read", programs.read_enter, true},
      {"SSL_write_ex", programs.write_ex_enter, false},
      {"SSL_read_ex", programs.read_ex_enter, false},
      {"SSL_set_fd", programs.set_fd, false},      {"SSL_free", programs.free, false},
  };
  for (const OpenSslTarget& target : targets) {
    OpenSslAttachment report{target.path, {}, {}};
    std::vector<Link> links;
    for (const Probe& probe : kProbes) {
      Link entry = AttachAt(probe.entry, target.path, probe.function, false);
      const int entry_errno = errno;
      // SSL_set_fd and SSL_free need no return probe.
      const bool wants_return = probe.entry != programs.set_fd && probe.entry != programs.free;
      Link exit = wants_return && entry
                      ? AttachAt(programs.call_exit, target.path, probe.function, true)
                      : Link();
      if (!entry || (wants_return && !exit)) {
        if (probe.required) {
          report.error = std::string(probe.function) + ": " +
                         std::strerror(entry ? errno : entry_errno);
          links.clear();
          break;
        }
        continue;
      }
      links.push_back(std::move(entry));
      if (exit) links.push_back(std::move(exit));
      report.attached.push_back(probe.function);
    }
    if (report.error.empty()) {
      std::string functions;
      for (const std::string& f : report.attached) functions += (functions.empty() ? "" : ", ") + f;
      spdlog::debug("OpenSSL probes on {}: {}", target.path, functions);
      for (Link& link : links) probes->links_.push_back(std::move(link));
    } else {
      report.attached.clear();
      spdlog::debug("OpenSSL probes not set on {}: {}", target.path, report.error);
    }
    probes->attachments_.push_back(std::move(report));
  }
  return probes;
}

}  // namespace zerotrace::probes
