#include "probes/go/dwarf_struct_layout.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

namespace zerotrace::probes::go {
namespace {

const char* NameOf(Dwarf_Die* die) { return dwarf_diename(die); }

// A member's offset: a constant in Go's DWARF; older producers write a
// location expression DW_OP_plus_uconst N instead.
std::optional<uint64_t> MemberLocation(Dwarf_Die* member) {
  Dwarf_Attribute attribute;
  if (dwarf_attr(member, DW_AT_data_member_location, &attribute) == nullptr) {
    return 0;  // a union member, or the first field of a producer that omits it
  }
  Dwarf_Word value = 0;
  if (dwarf_formudata(&attribute, &value) == 0) return value;
  Dwarf_Op* ops = nullptr;
  size_t op_count = 0;
  if (dwarf_getlocation(&attribute, &ops, &op_count) == 0 && op_count == 1 &&
      ops[0].atom == DW_OP_plus_uconst) {
    return ops[0].number;
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<DwarfStructLayout> DwarfStructLayout::Open(Elf* elf) {
  Dwarf* dwarf = dwarf_begin_elf(elf, DWARF_C_READ, nullptr);
  if (dwarf == nullptr) return nullptr;
  std::unique_ptr<DwarfStructLayout> layout(new DwarfStructLayout(dwarf));  // private constructor
  layout->IndexStructs();
  if (layout->structs_.empty()) return nullptr;  // DWARF without types: no use here
  return layout;
}

DwarfStructLayout::~DwarfStructLayout() { dwarf_end(dwarf_); }

void DwarfStructLayout::IndexStructs() {
  // Go puts its types at the top level of a unit (all in "runtime" as of Go
  // 1.19), so only the children of each unit's DIE are visited, not the
  // whole tree.
  Dwarf_Off offset = 0;
  Dwarf_Off next = 0;
  size_t header_size = 0;
  while (dwarf_nextcu(dwarf_, offset, &next, &header_size, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die unit;
    Dwarf_Die child;
    if (dwarf_offdie(dwarf_, offset + header_size, &unit) != nullptr &&
        dwarf_child(&unit, &child) == 0) {
      do {
        if (dwarf_tag(&child) != DW_TAG_structure_type ||
            dwarf_hasattr(&child, DW_AT_declaration)) {
          continue;
        }
        if (const char* name = NameOf(&child)) structs_.emplace(name, dwarf_dieoffset(&child));
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    offset = next;
  }
}

std::optional<uint64_t> DwarfStructLayout::FieldOffset(std::string_view type,
                                                       std::string_view field,
                                                       std::string* error) const {
  const auto it = structs_.find(type);
  Dwarf_Die die;
  if (it == structs_.end() || dwarf_offdie(dwarf_, it->second, &die) == nullptr) {
    if (error) *error = "no struct " + std::string(type) + " in the DWARF";
    return std::nullopt;
  }
  Dwarf_Die member;
  if (dwarf_child(&die, &member) == 0) {
    do {
      if (dwarf_tag(&member) != DW_TAG_member) continue;
      const char* name = NameOf(&member);
      if (name == nullptr || field != name) continue;
      std::optional<uint64_t> location = MemberLocation(&member);
      if (!location && error) {
        *error = std::string(type) + "." + std::string(field) + " has an unreadable location";
      }
      return location;
    } while (dwarf_siblingof(&member, &member) == 0);
  }
  if (error) *error = "struct " + std::string(type) + " has no field " + std::string(field);
  return std::nullopt;
}

}  // namespace zerotrace::probes::go
