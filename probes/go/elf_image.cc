#include "probes/go/elf_image.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace zerotrace::probes::go {

std::unique_ptr<ElfImage> ElfImage::Open(const std::string& path, std::string* error) {
  if (elf_version(EV_CURRENT) == EV_NONE) {
    *error = "libelf is unusable: " + std::string(elf_errmsg(-1));
    return nullptr;
  }
  std::unique_ptr<ElfImage> image(new ElfImage());  // private constructor
  image->path_ = path;
  image->fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (image->fd_ < 0) {
    *error = path + ": " + std::strerror(errno);
    return nullptr;
  }
  image->elf_ = elf_begin(image->fd_, ELF_C_READ_MMAP_PRIVATE, nullptr);
  if (image->elf_ == nullptr || elf_kind(image->elf_) != ELF_K_ELF) {
    *error = path + ": not an ELF file";
    return nullptr;
  }
  GElf_Ehdr header;
  if (gelf_getehdr(image->elf_, &header) == nullptr) {
    *error = path + ": unreadable ELF header: " + elf_errmsg(-1);
    return nullptr;
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64) {
    *error = path + ": a 32-bit ELF file; only 64-bit programs are traced";
    return nullptr;
  }
  image->machine_ = header.e_machine;
  image->little_endian_ = header.e_ident[EI_DATA] == ELFDATA2LSB;
  size_t size = 0;
  image->file_ = reinterpret_cast<const uint8_t*>(elf_rawfile(image->elf_, &size));
  image->file_size_ = size;
  if (image->file_ == nullptr) {
    *error = path + ": cannot map the file: " + elf_errmsg(-1);
    return nullptr;
  }
  return image;
}

ElfImage::~ElfImage() {
  if (elf_ != nullptr) elf_end(elf_);
  if (fd_ >= 0) close(fd_);
}

std::optional<ElfSection> ElfImage::FindSection(std::string_view name) const {
  size_t names_index = 0;
  if (elf_getshdrstrndx(elf_, &names_index) != 0) return std::nullopt;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf_, scn)) != nullptr) {
    GElf_Shdr header;
    if (gelf_getshdr(scn, &header) == nullptr) continue;
    const char* section_name = elf_strptr(elf_, names_index, header.sh_name);
    if (section_name == nullptr || name != section_name) continue;
    return ElfSection{section_name,   header.sh_addr, header.sh_offset,
                      header.sh_size, header.sh_type, header.sh_flags};
  }
  return std::nullopt;
}

std::span<const uint8_t> ElfImage::SectionBytes(const ElfSection& section) const {
  if (section.type == SHT_NOBITS || section.offset > file_size_ ||
      section.size > file_size_ - section.offset) {
    return {};
  }
  return {file_ + section.offset, section.size};
}

std::optional<uint64_t> ElfImage::FileOffsetOf(uint64_t address) const {
  size_t count = 0;
  if (elf_getphdrnum(elf_, &count) != 0) return std::nullopt;
  for (size_t i = 0; i < count; ++i) {
    GElf_Phdr segment;
    if (gelf_getphdr(elf_, static_cast<int>(i), &segment) == nullptr) continue;
    if (segment.p_type != PT_LOAD) continue;
    if (address >= segment.p_vaddr && address - segment.p_vaddr < segment.p_filesz) {
      return segment.p_offset + (address - segment.p_vaddr);
    }
  }
  return std::nullopt;
}

std::span<const uint8_t> ElfImage::BytesAt(uint64_t address, uint64_t size) const {
  const std::optional<uint64_t> offset = FileOffsetOf(address);
  if (!offset || *offset > file_size_ || size > file_size_ - *offset) return {};
  // The whole range must be file-backed, not only its first byte.
  if (size > 0 && FileOffsetOf(address + size - 1) != *offset + size - 1) return {};
  return {file_ + *offset, size};
}

bool ElfImage::has_symtab() const {
  const std::optional<ElfSection> symtab = FindSection(".symtab");
  return symtab && symtab->type == SHT_SYMTAB && symtab->size > 0;
}

void ElfImage::ForEachSymbol(const std::function<bool(const ElfSymbol&)>& visit) const {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf_, scn)) != nullptr) {
    GElf_Shdr header;
    if (gelf_getshdr(scn, &header) == nullptr || header.sh_type != SHT_SYMTAB) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    const size_t count = header.sh_entsize ? header.sh_size / header.sh_entsize : 0;
    for (size_t i = 1; data != nullptr && i < count; ++i) {
      GElf_Sym symbol;
      if (gelf_getsym(data, static_cast<int>(i), &symbol) == nullptr) break;
      if (symbol.st_shndx == SHN_UNDEF) continue;
      const char* name = elf_strptr(elf_, header.sh_link, symbol.st_name);
      if (name == nullptr || *name == '\0') continue;
      const ElfSymbol visited{name, symbol.st_value, symbol.st_size,
                              GELF_ST_TYPE(symbol.st_info) == STT_FUNC};
      if (!visit(visited)) return;
    }
    return;  // one .symtab per file
  }
}

std::optional<ElfSymbol> ElfImage::FindSymbol(std::string_view name) const {
  std::optional<ElfSymbol> found;
  ForEachSymbol([&](const ElfSymbol& symbol) {
    if (symbol.name != name) return true;
    found = symbol;
    return false;
  });
  return found;
}

}  // namespace zerotrace::probes::go
