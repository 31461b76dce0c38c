// Putting BPF programs on one function of a Go executable: at its entry, and
// at every RET instruction instead of a uretprobe (a uretprobe rewrites the
// return address on the goroutine's stack, which Go may move: the program
// would crash).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "probes/bpf_link.h"

struct bpf_program;

namespace zerotrace::probes {

namespace go {
class GoBinary;
}

// `entry` at the entry of `function` in `binary` (opened from `path`) and
// `returns` (may be null) at each of its RETs; as uprobe_multi links when
// `multi` (UseUprobeMultiLinks). The links go to `links`; false, with why in
// `error` (naming the function), if one fails: the caller drops what was
// added.
bool AttachGoFunction(const go::GoBinary& binary, const std::string& path,
                      std::string_view function, bpf_program* entry, bpf_program* returns,
                      bool multi, std::vector<BpfLink>* links, std::string* error);

}  // namespace zerotrace::probes
