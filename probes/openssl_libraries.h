// Where OpenSSL lives on this host: the files whose SSL_read/SSL_write get
// uprobes. A uprobe is set on a file (its inode), so one attachment covers
// every process that maps that file, now or later.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zerotrace::probes {

struct OpenSslTarget {
  std::string path;  // as the host sees it, e.g. /usr/lib/x86_64-linux-gnu/libssl.so.3
  bool shared_library = true;  // false: an executable with OpenSSL linked in (node)
};

// libssl.so.3 / libssl.so.1.1 in the usual library folders, every libssl
// mapped by a running process (/proc/PID/maps: also catches dlopen'ed and
// bundled copies), and the executables of running processes that export
// SSL_write themselves. One entry per file (same device and inode).
std::vector<OpenSslTarget> FindOpenSslTargets(const std::string& proc_root = "/proc");

// The same for one process (a program just started): libssl files it maps,
// and its executable if OpenSSL is linked into it. Paths go through
// /proc/PID/root, so a container's files are found.
std::vector<OpenSslTarget> OpenSslTargetsOfProcess(uint32_t pid,
                                                   const std::string& proc_root = "/proc");

// The libssl paths one maps file names (pure, for tests).
std::vector<std::string> LibsslPathsInMaps(const std::string& maps_text);

// Whether the ELF file at path has SSL_write in its dynamic symbol table.
bool ExportsSslWrite(const std::string& path);

}  // namespace zerotrace::probes
