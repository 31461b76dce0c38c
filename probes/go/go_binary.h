// What the Go uprobes need to know about one Go executable: which Go built
// it, where its functions and their RET instructions are (as uprobe file
// offsets), and the offsets of the struct fields the BPF side reads. Works on
// binaries with symbols and DWARF, and on stripped ones
// (`go build -ldflags='-s -w'`) through Go's own function table and a
// built-in table of field offsets (go_struct_fields.h).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "probes/go/go_build_info.h"
#include "probes/go/go_struct_fields.h"

namespace zerotrace::probes::go {

class DwarfStructLayout;
class ElfImage;
class GoPclntab;

enum class FunctionSource { kSymtab, kPclntab };

struct GoFunction {
  std::string name;          // e.g. "crypto/tls.(*Conn).Write"
  uint64_t address = 0;      // virtual address of the first instruction
  uint64_t size = 0;         // bytes; from .gopclntab: up to the next function
  uint64_t file_offset = 0;  // the entry's uprobe offset
  FunctionSource source = FunctionSource::kSymtab;
};

struct ReturnInstruction {
  uint64_t address = 0;      // virtual address
  uint64_t file_offset = 0;  // uprobe offset
};

enum class FieldSource { kMissing, kDwarf, kBuiltInTable };

struct GoFieldOffsets {
  std::array<std::optional<uint32_t>, kGoFieldCount> offsets{};
  std::array<FieldSource, kGoFieldCount> sources{};

  std::optional<uint32_t> operator[](GoField field) const {
    return offsets[static_cast<size_t>(field)];
  }
  FieldSource source(GoField field) const { return sources[static_cast<size_t>(field)]; }
  // Every field known (a program that does not link net/http has no
  // net/http structs in its DWARF: then only the TLS fields are there).
  bool complete() const;
};

// The functions the Go probes attach to, in the order Describe() lists them.
inline constexpr std::array<std::string_view, 5> kGoProbedFunctions = {
    "crypto/tls.(*Conn).Read",
    "crypto/tls.(*Conn).Write",
    "net/http.serverHandler.ServeHTTP",
    "net/http.(*Transport).roundTrip",
    "runtime.casgstatus",
};

// Use from one thread at a time: libelf and libdw read sections lazily.
class GoBinary {
 public:
  // Null and one line in `error` for a file that cannot be read, is not a
  // 64-bit ELF file, or was not built by Go.
  static std::unique_ptr<GoBinary> Open(const std::string& path, std::string* error);
  ~GoBinary();
  GoBinary(const GoBinary&) = delete;
  GoBinary& operator=(const GoBinary&) = delete;

  const std::string& path() const;
  const std::string& version_text() const { return build_info_.version; }  // "go1.19.8"
  const GoVersion& version() const { return version_; }
  const std::string& module_info() const { return build_info_.module_info; }
  bool has_symbols() const { return has_symbols_; }
  // Whether usable DWARF types are there; reads them on first use.
  bool has_dwarf() const { return Dwarf() != nullptr; }
  uint64_t text_size() const { return text_size_; }
  // Go's function table; null, with the reason in function_table_error(), if
  // it is missing or in a format not read here (Go < 1.18).
  const GoPclntab* function_table() const { return pclntab_.get(); }
  const std::string& function_table_error() const { return pclntab_error_; }

  // A function by its Go name: from .symtab, else from .gopclntab.
  std::optional<GoFunction> FindFunction(std::string_view name, std::string* error) const;

  // Every RET of `function` (x86-64 only): a uprobe there sees the
  // function's results in registers (RAX, RBX, ... in Go's register ABI)
  // and the goroutine in R14. Empty if it never returns; a function that
  // leaves by a tail jump is not covered there (Go 1.19's compiler emits
  // those only in generated wrappers, none of which the probes use).
  std::optional<std::vector<ReturnInstruction>> FindReturns(const GoFunction& function,
                                                            std::string* error) const;

  // Offset of any struct field, from DWARF only.
  std::optional<uint64_t> FieldOffset(std::string_view type, std::string_view field,
                                      std::string* error) const;

  // The fields of go_struct_fields.h: from DWARF, a field DWARF lacks from
  // the built-in table when it covers this version. Nothing and one line
  // starting "unsupported:" in `error` when there is no DWARF and no table
  // for this version.
  std::optional<GoFieldOffsets> FieldOffsets(std::string* error) const;

  // One line for --verbose: "go1.19.8, 2.5 MB text, symbols: yes, DWARF: yes,
  // crypto/tls.(*Conn).Read: 3 returns, ..., field offsets: DWARF".
  std::string Describe() const;

 private:
  GoBinary();
  // Indexes the DWARF types once, on first use: that takes tens of
  // milliseconds, and a binary may only be asked about functions.
  const DwarfStructLayout* Dwarf() const;

  std::unique_ptr<ElfImage> image_;
  GoBuildInfo build_info_;
  GoVersion version_;
  bool has_symbols_ = false;
  uint64_t text_size_ = 0;
  std::unique_ptr<GoPclntab> pclntab_;  // points into image_'s mapping
  std::string pclntab_error_;
  mutable bool dwarf_read_ = false;
  mutable std::unique_ptr<DwarfStructLayout> dwarf_;
};

}  // namespace zerotrace::probes::go
