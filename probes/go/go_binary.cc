#include "probes/go/go_binary.h"

#include <elf.h>

#include <cstdio>

#include "base/text.h"
#include "probes/go/dwarf_struct_layout.h"
#include "probes/go/elf_image.h"
#include "probes/go/go_pclntab.h"
#include "probes/go/return_instructions.h"

namespace zerotrace::probes::go {
namespace {

// Where Go's linker puts its function table: its own section in ordinary
// executables, inside .data.rel.ro in position-independent ones.
constexpr std::string_view kPclntabSections[] = {".gopclntab", ".data.rel.ro.gopclntab"};

std::string MachineName(uint16_t machine) {
  switch (machine) {
    case EM_X86_64:
      return "x86-64";
    case EM_AARCH64:
      return "arm64";
    case EM_RISCV:
      return "riscv64";
    case EM_PPC64:
      return "ppc64";
    case EM_S390:
      return "s390x";
    default:
      return "machine " + std::to_string(machine);
  }
}

}  // namespace

bool GoFieldOffsets::complete() const {
  for (const std::optional<uint32_t>& offset : offsets) {
    if (!offset) return false;
  }
  return true;
}

GoBinary::GoBinary() = default;
GoBinary::~GoBinary() = default;

const std::string& GoBinary::path() const { return image_->path(); }

std::unique_ptr<GoBinary> GoBinary::Open(const std::string& path, std::string* error) {
  std::unique_ptr<ElfImage> image = ElfImage::Open(path, error);
  if (!image) return nullptr;
  std::optional<GoBuildInfo> build_info = ReadGoBuildInfo(*image);
  if (!build_info) {
    *error = path + ": not a Go program (no Go build information)";
    return nullptr;
  }
  std::unique_ptr<GoBinary> binary(new GoBinary());  // private constructor
  binary->build_info_ = std::move(*build_info);
  binary->version_ = ParseGoVersion(binary->build_info_.version).value_or(GoVersion{});
  binary->has_symbols_ = image->has_symtab();
  const std::optional<ElfSection> text = image->FindSection(".text");
  binary->text_size_ = text ? text->size : 0;

  binary->pclntab_error_ = "no Go function table (.gopclntab)";
  for (std::string_view name : kPclntabSections) {
    const std::optional<ElfSection> section = image->FindSection(name);
    if (!section) continue;
    std::optional<GoPclntab> table =
        GoPclntab::Parse(image->SectionBytes(*section), image->little_endian(),
                         text ? text->address : 0, &binary->pclntab_error_);
    if (table) {
      binary->pclntab_ = std::make_unique<GoPclntab>(std::move(*table));
      binary->pclntab_error_.clear();
    }
    break;
  }
  binary->image_ = std::move(image);
  return binary;
}

const DwarfStructLayout* GoBinary::Dwarf() const {
  if (!dwarf_read_) {
    dwarf_ = DwarfStructLayout::Open(image_->elf());
    dwarf_read_ = true;
  }
  return dwarf_.get();
}

std::optional<GoFunction> GoBinary::FindFunction(std::string_view name, std::string* error) const {
  GoFunction function;
  function.name = std::string(name);
  bool found = false;
  image_->ForEachSymbol([&](const ElfSymbol& symbol) {
    if (!symbol.function || symbol.name != name) return true;
    function.address = symbol.address;
    function.size = symbol.size;
    function.source = FunctionSource::kSymtab;
    found = true;
    return false;
  });
  // The table also serves a .symtab entry without a size.
  if (!found || function.size == 0) {
    if (pclntab_) {
      if (std::optional<PclntabFunction> entry = pclntab_->Find(name)) {
        function.address = entry->address;
        function.size = entry->end - entry->address;
        function.source = FunctionSource::kPclntab;
        found = true;
      }
    }
  }
  if (!found) {
    *error = std::string(name) + " is not in " + path() +
             (has_symbols_ || pclntab_ ? "" : " (no .symtab, " + pclntab_error_ + ")");
    return std::nullopt;
  }
  const std::optional<uint64_t> offset = image_->FileOffsetOf(function.address);
  if (!offset) {
    *error = std::string(name) + " at " + HexLiteral(function.address) + " is outside the file's segments";
    return std::nullopt;
  }
  function.file_offset = *offset;
  return function;
}

std::optional<std::vector<ReturnInstruction>> GoBinary::FindReturns(const GoFunction& function,
                                                                    std::string* error) const {
  if (image_->machine() != EM_X86_64) {
    *error = "finding return instructions needs x86-64 code; " + path() + " is for " +
             MachineName(image_->machine());
    return std::nullopt;
  }
  const std::span<const uint8_t> code = image_->BytesAt(function.address, function.size);
  if (code.size() != function.size || code.empty()) {
    *error = function.name + ": its code is not in the file";
    return std::nullopt;
  }
  std::string decode_error;
  std::optional<std::vector<uint64_t>> addresses =
      FindReturnInstructions(code, function.address, &decode_error);
  if (!addresses) {
    *error = function.name + ": " + decode_error;
    return std::nullopt;
  }
  std::vector<ReturnInstruction> returns;
  returns.reserve(addresses->size());
  for (uint64_t address : *addresses) {
    // Same segment as the entry, so the offset moves with the address.
    returns.push_back({address, function.file_offset + (address - function.address)});
  }
  return returns;
}

std::optional<uint64_t> GoBinary::FieldOffset(std::string_view type, std::string_view field,
                                              std::string* error) const {
  const DwarfStructLayout* dwarf = Dwarf();
  if (!dwarf) {
    *error = path() + " has no DWARF (stripped, or built with -ldflags=-w)";
    return std::nullopt;
  }
  return dwarf->FieldOffset(type, field, error);
}

std::optional<GoFieldOffsets> GoBinary::FieldOffsets(std::string* error) const {
  const std::optional<std::array<uint32_t, kGoFieldCount>> built_in =
      BuiltInFieldOffsets(version_, image_->machine());
  const DwarfStructLayout* dwarf = Dwarf();
  if (!dwarf && !built_in) {
    *error = "unsupported: " + path() + " (" + build_info_.version + ", " +
             MachineName(image_->machine()) +
             ") has no DWARF, and the built-in field offsets cover " +
             std::string(BuiltInFieldOffsetsCoverage()) + " only";
    return std::nullopt;
  }
  GoFieldOffsets result;
  for (size_t i = 0; i < kGoFieldCount; ++i) {
    const GoFieldName& name = GoFieldNames()[i];
    if (dwarf) {
      if (std::optional<uint64_t> offset = dwarf->FieldOffset(name.type, name.field)) {
        result.offsets[i] = static_cast<uint32_t>(*offset);
        result.sources[i] = FieldSource::kDwarf;
        continue;
      }
    }
    if (built_in) {
      result.offsets[i] = (*built_in)[i];
      result.sources[i] = FieldSource::kBuiltInTable;
    } else {
      result.sources[i] = FieldSource::kMissing;
    }
  }
  return result;
}

std::string GoBinary::Describe() const {
  char text_size[32];
  std::snprintf(text_size, sizeof(text_size), "%.1f MB", static_cast<double>(text_size_) / 1e6);
  std::string line = build_info_.version + ", " + text_size + " text, symbols: " +
                     (has_symbols_ ? "yes"
                      : pclntab_   ? "no (Go function table)"
                                   : "no") +
                     ", DWARF: " + (has_dwarf() ? "yes" : "no");
  for (std::string_view name : kGoProbedFunctions) {
    line += ", " + std::string(name) + ": ";
    std::string error;
    const std::optional<GoFunction> function = FindFunction(name, &error);
    if (!function) {
      line += "absent";
      continue;
    }
    const std::optional<std::vector<ReturnInstruction>> returns = FindReturns(*function, &error);
    if (!returns) {
      line += "returns unknown";
    } else {
      line += std::to_string(returns->size()) + (returns->size() == 1 ? " return" : " returns");
    }
  }
  std::string error;
  const std::optional<GoFieldOffsets> offsets = FieldOffsets(&error);
  if (!offsets) {
    line += ", field offsets: " + error;
  } else {
    size_t from_dwarf = 0, from_table = 0, missing = 0;
    for (FieldSource source : offsets->sources) {
      from_dwarf += source == FieldSource::kDwarf;
      from_table += source == FieldSource::kBuiltInTable;
      missing += source == FieldSource::kMissing;
    }
    line += ", field offsets: ";
    if (from_table == 0) {
      line += "DWARF";
    } else if (from_dwarf == 0) {
      line += "built-in table (" + std::string(BuiltInFieldOffsetsCoverage()) + ")";
    } else {
      line += "DWARF and built-in table";
    }
    if (missing > 0) line += " (" + std::to_string(missing) + " unknown)";
  }
  return line;
}

}  // namespace zerotrace::probes::go
