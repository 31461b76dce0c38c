// Putting a BPF program on code in a file: a uprobe (or uretprobe) at a
// function by name or at a file offset, and, where the kernel has them
// (Linux 6.6), one uprobe_multi link at many offsets of a file. A uprobe is
// set on the file (its inode), so it fires in every process mapping that
// file unless a pid narrows it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "probes/bpf_link.h"

struct bpf_program;

namespace zerotrace::probes {

struct UprobeTarget {
  std::string path;              // the ELF file: an executable, a library, /proc/PID/exe
  const char* symbol = nullptr;  // a function, found by libbpf in the file's symbols;
                                 // null: `offset` is the place
  uint64_t offset = 0;           // a file offset (added to the symbol's when there is one)
  pid_t pid = -1;                // -1: every process
  bool retprobe = false;         // on the function's return instead (uretprobe)
};

// An empty link, with errno set, if the kernel or libbpf refused.
BpfLink AttachUprobe(bpf_program* program, const UprobeTarget& target);

// Whether the kernel has uprobe_multi links (Linux 6.6), from its BTF. One
// such link puts a program at many offsets of a file, and detaching it waits
// for the kernel once, where perf-event uprobes wait once each (about 0.1 s
// apiece on a busy host, serialized): with ~20 offsets per Go program, that
// is what keeps stopping the agent quick on a host running many of them.
bool KernelHasUprobeMultiLinks();
// Before the object is loaded: makes `program` attachable by uprobe_multi
// links only.
void UseUprobeMultiLinks(bpf_program* program);

// One uprobe_multi link putting `program` at every offset of the file at
// `path` (pid -1: every process). An empty link, with errno set, on failure.
BpfLink AttachUprobeMulti(bpf_program* program, const std::string& path,
                          std::span<const uint64_t> offsets, pid_t pid = -1);

// `program` at every offset of `path`, in every process: one uprobe_multi
// link when `multi` (the program was loaded for them: UseUprobeMultiLinks),
// else one uprobe per offset. The links go to `links`; false, with errno
// set, at the first failure (links made before it stay in `links`).
bool AttachUprobesAt(bpf_program* program, const std::string& path,
                     std::span<const uint64_t> offsets, bool multi, std::vector<BpfLink>* links);

}  // namespace zerotrace::probes
