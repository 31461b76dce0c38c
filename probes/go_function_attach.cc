#include "probes/go_function_attach.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "probes/go/go_binary.h"
#include "probes/go/return_instructions.h"
#include "probes/uprobe_attach.h"

namespace zerotrace::probes {
namespace {

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

}  // namespace

bool AttachGoFunction(const go::GoBinary& binary, const std::string& path,
                      std::string_view function, bpf_program* entry, bpf_program* returns,
                      bool multi, std::vector<BpfLink>* links, std::string* error) {
  const std::optional<go::GoFunction> found = binary.FindFunction(function, error);
  if (!found) return false;
  std::vector<uint64_t> return_offsets;
  if (returns) {
    // FindReturns for its checks (x86-64 code, all in the file); the
    // offsets come from the file's own bytes.
    if (!binary.FindReturns(*found, error)) return false;
    std::optional<std::vector<uint64_t>> from_file = ReturnOffsetsFromFile(path, *found, error);
    if (!from_file) return false;
    if (from_file->empty()) {
      *error = std::string(function) + " has no RET instruction";
      return false;
    }
    return_offsets = std::move(*from_file);
  }
  const uint64_t entry_offset[] = {found->file_offset};
  if (!AttachUprobesAt(entry, path, entry_offset, multi, links) ||
      (returns && !AttachUprobesAt(returns, path, return_offsets, multi, links))) {
    *error = std::string(function) + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace zerotrace::probes
