#include "probes/uprobe_attach.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace zerotrace::probes {
namespace {

// enum bpf_attach_type's BPF_TRACE_UPROBE_MULTI (Linux 6.6); Debian 12's
// kernel headers and libbpf 1.1 predate it.
constexpr uint32_t kBpfTraceUprobeMulti = 48;

// link_create of union bpf_attr for a uprobe_multi link, as Linux 6.6 lays
// it out.
struct UprobeMultiLinkCreate {
  uint32_t prog_fd;
  uint32_t target_fd;
  uint32_t attach_type;
  uint32_t flags;
  uint64_t path;
  uint64_t offsets;
  uint64_t ref_ctr_offsets;
  uint64_t cookies;
  uint32_t count;
  uint32_t multi_flags;  // BPF_F_UPROBE_MULTI_RETURN not used: no caller wants uretprobes here
  uint32_t pid;          // 0: every process
};
static_assert(sizeof(UprobeMultiLinkCreate) <= sizeof(bpf_attr));

}  // namespace

BpfLink AttachUprobe(bpf_program* program, const UprobeTarget& target) {
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = target.retprobe, .func_name = target.symbol);
  return BpfLink(bpf_program__attach_uprobe_opts(program, target.pid, target.path.c_str(),
                                                 static_cast<size_t>(target.offset), &opts));
}

bool KernelHasUprobeMultiLinks() {
  static const bool has = [] {
    btf* vmlinux = btf__load_vmlinux_btf();
    if (!vmlinux) return false;
    bool found = false;
    const __s32 id = btf__find_by_name_kind(vmlinux, "bpf_attach_type", BTF_KIND_ENUM);
    if (id > 0) {
      const btf_type* type = btf__type_by_id(vmlinux, id);
      const struct btf_enum* values = btf_enum(type);
      for (int i = 0; i < btf_vlen(type) && !found; ++i) {
        const char* value_name = btf__name_by_offset(vmlinux, values[i].name_off);
        found = value_name && std::strcmp(value_name, "BPF_TRACE_UPROBE_MULTI") == 0 &&
                static_cast<uint32_t>(values[i].val) == kBpfTraceUprobeMulti;
      }
    }
    btf__free(vmlinux);
    return found;
  }();
  return has;
}

void UseUprobeMultiLinks(bpf_program* program) {
  bpf_program__set_expected_attach_type(program,
                                        static_cast<bpf_attach_type>(kBpfTraceUprobeMulti));
}

BpfLink AttachUprobeMulti(bpf_program* program, const std::string& path,
                          std::span<const uint64_t> offsets, pid_t pid) {
  UprobeMultiLinkCreate create{};
  create.prog_fd = static_cast<uint32_t>(bpf_program__fd(program));
  create.attach_type = kBpfTraceUprobeMulti;
  create.path = reinterpret_cast<uint64_t>(path.c_str());
  create.offsets = reinterpret_cast<uint64_t>(offsets.data());
  create.count = static_cast<uint32_t>(offsets.size());
  create.pid = pid < 0 ? 0 : static_cast<uint32_t>(pid);
  bpf_attr attr{};
  std::memcpy(&attr, &create, sizeof(create));
  return BpfLink::FromFd(static_cast<int>(syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr))));
}

bool AttachUprobesAt(bpf_program* program, const std::string& path,
                     std::span<const uint64_t> offsets, bool multi, std::vector<BpfLink>* links) {
  if (multi) {
    BpfLink link = AttachUprobeMulti(program, path, offsets);
    if (!link) return false;
    links->push_back(std::move(link));
    return true;
  }
  for (uint64_t offset : offsets) {
    BpfLink link = AttachUprobe(program, {.path = path, .offset = offset});
    if (!link) return false;
    links->push_back(std::move(link));
  }
  return true;
}

}  // namespace zerotrace::probes
