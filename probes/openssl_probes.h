// Attaches the OpenSSL plaintext probes (bpf/tls_openssl.h) to every
// OpenSSL found on the host (openssl_libraries.h), and owns the links.
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "probes/bpf_link.h"
#include "probes/openssl_libraries.h"

struct bpf_program;

namespace zerotrace::probes {

// The programs of the socket_trace object that go on OpenSSL functions.
struct OpenSslPrograms {
  bpf_program* write_enter = nullptr;
  bpf_program* write_ex_enter = nullptr;
  bpf_program* read_enter = nullptr;
  bpf_program* read_ex_enter = nullptr;
  bpf_program* call_exit = nullptr;
  bpf_program* set_fd = nullptr;
  bpf_program* free = nullptr;
};

// What happened at one file, for --verbose and the agent's metrics.
struct OpenSslAttachment {
  std::string path;
  std::vector<std::string> attached;  // function names
  std::string error;                  // why it was not used; empty if it was
};

class OpenSslProbes {
 public:
  // Tries every target; a file where SSL_read and SSL_write cannot both be
  // probed is skipped with its reason. Never fails as a whole.
  static std::unique_ptr<OpenSslProbes> Attach(const OpenSslPrograms& programs,
                                               const std::vector<OpenSslTarget>& targets);
  // The same for files found later (a program started after the agent).
  // Files already tried (same device and inode) are skipped. Returns the
  // number of files newly probed.
  size_t Add(const std::vector<OpenSslTarget>& targets);
  ~OpenSslProbes();
  OpenSslProbes(const OpenSslProbes&) = delete;
  OpenSslProbes& operator=(const OpenSslProbes&) = delete;

  const std::vector<OpenSslAttachment>& attachments() const { return attachments_; }
  size_t files_probed() const;
  size_t links() const { return links_.size(); }

 private:
  explicit OpenSslProbes(const OpenSslPrograms& programs) : programs_(programs) {}
  OpenSslAttachment AttachFile(const OpenSslTarget& target);

  OpenSslPrograms programs_;
  std::vector<BpfLink> links_;
  std::vector<OpenSslAttachment> attachments_;
  std::set<std::pair<dev_t, ino_t>> tried_;  // files, by identity
};

}  // namespace zerotrace::probes
