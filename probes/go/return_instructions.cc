#include "probes/go/return_instructions.h"

#include <capstone/capstone.h>

#include <memory>

#include "base/text.h"

namespace zerotrace::probes::go {
namespace {

class Disassembler {
 public:
  Disassembler() { opened_ = cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) == CS_ERR_OK; }
  ~Disassembler() {
    if (opened_) cs_close(&handle_);
  }
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;

  bool opened() const { return opened_; }
  csh handle() const { return handle_; }

 private:
  csh handle_ = 0;
  bool opened_ = false;
};

struct InstructionFree {
  void operator()(cs_insn* instruction) const { cs_free(instruction, 1); }
};

}  // namespace

std::optional<std::vector<uint64_t>> FindReturnInstructions(std::span<const uint8_t> code,
                                                            uint64_t address, std::string* error) {
  Disassembler disassembler;
  if (!disassembler.opened()) {
    *error = "capstone cannot disassemble x86-64";
    return std::nullopt;
  }
  const std::unique_ptr<cs_insn, InstructionFree> instruction(cs_malloc(disassembler.handle()));
  if (!instruction) {
    *error = "capstone is out of memory";
    return std::nullopt;
  }
  std::vector<uint64_t> returns;
  const uint8_t* cursor = code.data();
  size_t left = code.size();
  uint64_t next_address = address;
  while (left > 0) {
    // cs_disasm_iter advances cursor, left and next_address past the instruction.
    if (!cs_disasm_iter(disassembler.handle(), &cursor, &left, &next_address, instruction.get())) {
      *error = "cannot decode the instruction at " + HexLiteral(next_address);
      return std::nullopt;
    }
    if (instruction->id == X86_INS_RET) returns.push_back(instruction->address);
  }
  return returns;
}

}  // namespace zerotrace::probes::go
