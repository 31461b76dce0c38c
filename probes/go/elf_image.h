// One ELF file opened read-only and mapped: its sections, loadable segments
// and .symtab, with the address arithmetic uprobes need (a uprobe offset is a
// file offset, the code and Go's tables speak in virtual addresses).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

typedef struct Elf Elf;

namespace zerotrace::probes::go {

struct ElfSection {
  std::string_view name;
  uint64_t address = 0;  // 0 for sections not loaded (.symtab, .debug_*)
  uint64_t offset = 0;   // in the file
  uint64_t size = 0;
  uint32_t type = 0;   // SHT_*
  uint64_t flags = 0;  // SHF_*
};

struct ElfSymbol {
  std::string_view name;
  uint64_t address = 0;
  uint64_t size = 0;
  bool function = false;  // STT_FUNC
};

class ElfImage {
 public:
  // Null and one line in `error` if the file cannot be read or is not a
  // 64-bit ELF file (the only kind zerotrace traces).
  static std::unique_ptr<ElfImage> Open(const std::string& path, std::string* error);
  ~ElfImage();
  ElfImage(const ElfImage&) = delete;
  ElfImage& operator=(const ElfImage&) = delete;

  const std::string& path() const { return path_; }
  uint16_t machine() const { return machine_; }  // EM_*
  bool little_endian() const { return little_endian_; }
  Elf* elf() const { return elf_; }  // for libdw; owned here

  std::optional<ElfSection> FindSection(std::string_view name) const;
  // The section's bytes as stored in the file; empty for SHT_NOBITS or a
  // section that does not fit in the file.
  std::span<const uint8_t> SectionBytes(const ElfSection& section) const;

  // Where the byte at virtual address `address` is stored in the file: the
  // PT_LOAD segment holding it maps file offsets to addresses one to one.
  // Nothing for addresses outside the file-backed part of every segment.
  std::optional<uint64_t> FileOffsetOf(uint64_t address) const;
  // `size` bytes at virtual address `address`; empty unless all are in the file.
  std::span<const uint8_t> BytesAt(uint64_t address, uint64_t size) const;

  bool has_symtab() const;
  // Visits .symtab (not .dynsym: Go exports nothing there) until `visit`
  // returns false. Visits nothing without a .symtab (stripped files).
  void ForEachSymbol(const std::function<bool(const ElfSymbol&)>& visit) const;
  std::optional<ElfSymbol> FindSymbol(std::string_view name) const;

 private:
  ElfImage() = default;

  std::string path_;
  int fd_ = -1;
  Elf* elf_ = nullptr;
  const uint8_t* file_ = nullptr;  // the whole file, mapped by libelf
  uint64_t file_size_ = 0;
  uint16_t machine_ = 0;
  bool little_endian_ = true;
};

}  // namespace zerotrace::probes::go
