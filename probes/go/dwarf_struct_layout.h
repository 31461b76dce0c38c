// Struct layouts from a binary's DWARF (elfutils' libdw). Go names its types
// with the full package path ("crypto/tls.Conn", "runtime.g",
// "internal/poll.FD") and gives every member a constant
// DW_AT_data_member_location; embedded fields are members named after their
// type ("conn" in net.TCPConn).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct Elf Elf;
typedef struct Dwarf Dwarf;

namespace zerotrace::probes::go {

class DwarfStructLayout {
 public:
  // Null if `elf` has no usable DWARF (stripped, or built with -ldflags=-w).
  // `elf` must outlive the result.
  static std::unique_ptr<DwarfStructLayout> Open(Elf* elf);
  ~DwarfStructLayout();
  DwarfStructLayout(const DwarfStructLayout&) = delete;
  DwarfStructLayout& operator=(const DwarfStructLayout&) = delete;

  // Byte offset of `field` in struct `type`; nothing, and why in `error` if
  // given, when the binary has no such struct or the struct no such field.
  std::optional<uint64_t> FieldOffset(std::string_view type, std::string_view field,
                                      std::string* error = nullptr) const;
  bool HasStruct(std::string_view type) const { return structs_.find(type) != structs_.end(); }
  size_t struct_count() const { return structs_.size(); }

 private:
  explicit DwarfStructLayout(Dwarf* dwarf) : dwarf_(dwarf) {}
  void IndexStructs();

  Dwarf* dwarf_;
  std::map<std::string, uint64_t, std::less<>> structs_;  // name → DIE offset
};

}  // namespace zerotrace::probes::go
