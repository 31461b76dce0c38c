// Go's own function table (.gopclntab), which the runtime needs for stack
// traces and so survives `go build -ldflags='-s -w'`: with .symtab gone it is
// how functions of a stripped Go binary are found by name.
//
// Layout for Go 1.18 and 1.19 (magic 0xfffffff0) and Go 1.20+ (0xfffffff1,
// same header): magic, two zero bytes, instruction size quantum, pointer
// size, then pointer-sized fields nfunc, nfiles, textStart, funcnameOffset,
// cuOffset, filetabOffset, pctabOffset, pclnOffset (offsets from the table's
// start). At pclnOffset lie nfunc+1 pairs {entryoff, funcoff} of uint32: the
// function's start relative to textStart, and where its _func record is,
// relative to the pair array. A _func starts {entryoff uint32, nameoff int32};
// the name is a NUL-terminated string at funcnameOffset + nameoff; its funcID
// byte is at offset 36 (40 from Go 1.20, after the added startLine). The last
// pair's entryoff is the end of the text, so each function ends where the
// next one starts (alignment padding included).
//
// A name can appear twice: a function and its ABI wrapper (funcID
// "wrapper"), ABI0 for a Go function called from assembly, ABIInternal for
// an assembly function called from Go; .symtab calls the ABI0 one NAME.abi0.
// Lookups by name prefer the function whose funcID is 0 (normal): the Go
// body in the first case, as .symtab does; the assembly body in the second,
// where .symtab's NAME is the wrapper (a uprobe on the body sees calls from
// both ABIs). Else the first of the name.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zerotrace::probes::go {

struct PclntabFunction {
  std::string_view name;  // points into the parsed bytes
  uint64_t address = 0;   // virtual address of the first instruction
  uint64_t end = 0;       // address of the next function
  uint8_t func_id = 0;    // 0 for ordinary functions; wrappers and special runtime ones differ
};

class GoPclntab {
 public:
  // Checks the header and the bounds of the pair array of the table in
  // `bytes`, which must outlive the result; records are read on lookup (a
  // large program has 100 000 functions, and the probes want five). A zero
  // textStart (relocated at load time in some position-independent builds)
  // is replaced by `text_address`, the .text section's address. Nothing and
  // one line in `error` for an unknown or corrupt table.
  static std::optional<GoPclntab> Parse(std::span<const uint8_t> bytes, bool little_endian,
                                        uint64_t text_address, std::string* error);

  uint64_t text_start() const { return text_start_; }
  size_t function_count() const { return function_count_; }
  // The index-th function; nothing, and why in `error`, if its record is
  // corrupt or index is past the end.
  std::optional<PclntabFunction> FunctionAt(size_t index, std::string* error) const;
  // Every function; nothing and the first corrupt record's error.
  std::optional<std::vector<PclntabFunction>> AllFunctions(std::string* error) const;
  // By name, by one pass over the table; corrupt records are skipped.
  std::optional<PclntabFunction> Find(std::string_view name) const;

 private:
  GoPclntab() = default;
  std::optional<uint64_t> Word(uint64_t offset, size_t size) const;

  std::span<const uint8_t> bytes_;
  bool little_endian_ = true;
  uint64_t text_start_ = 0;
  uint64_t function_count_ = 0;
  uint64_t names_offset_ = 0;  // funcnametab
  uint64_t pairs_offset_ = 0;  // functab
  uint64_t func_id_at_ = 0;    // in a _func record
};

}  // namespace zerotrace::probes::go
