#include "probes/go/go_pclntab.h"

#include <cstring>

namespace zerotrace::probes::go {
namespace {

constexpr uint32_t kMagicGo118 = 0xfffffff0;  // Go 1.18, 1.19
constexpr uint32_t kMagicGo120 = 0xfffffff1;  // Go 1.20 and later
constexpr uint32_t kMagicGo116 = 0xfffffffa;  // Go 1.16, 1.17
constexpr uint32_t kMagicGo12 = 0xfffffffb;   // Go 1.2 - 1.15

constexpr size_t kPairSize = 8;  // {entryoff, funcoff}, two uint32

}  // namespace

std::optional<uint64_t> GoPclntab::Word(uint64_t offset, size_t size) const {
  if (offset > bytes_.size() || size > bytes_.size() - offset) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    const uint8_t byte = little_endian_ ? bytes_[offset + size - 1 - i] : bytes_[offset + i];
    value = (value << 8) | byte;
  }
  return value;
}

std::optional<GoPclntab> GoPclntab::Parse(std::span<const uint8_t> bytes, bool little_endian,
                                          uint64_t text_address, std::string* error) {
  GoPclntab table;
  table.bytes_ = bytes;
  table.little_endian_ = little_endian;
  const std::optional<uint64_t> magic = table.Word(0, 4);
  if (!magic || bytes.size() < 8) {
    *error = "Go function table (.gopclntab) is truncated";
    return std::nullopt;
  }
  if (*magic == kMagicGo116 || *magic == kMagicGo12) {
    *error = "Go function table of a Go older than 1.18 (not supported)";
    return std::nullopt;
  }
  if (*magic != kMagicGo118 && *magic != kMagicGo120) {
    *error = "Go function table (.gopclntab) has an unknown format";
    return std::nullopt;
  }
  const size_t pointer_size = bytes[7];
  if (bytes[4] != 0 || bytes[5] != 0 || (pointer_size != 4 && pointer_size != 8)) {
    *error = "Go function table (.gopclntab) has a corrupt header";
    return std::nullopt;
  }
  auto header_field = [&](int index) { return table.Word(8 + index * pointer_size, pointer_size); };
  const std::optional<uint64_t> function_count = header_field(0);
  const std::optional<uint64_t> text_start = header_field(2);
  const std::optional<uint64_t> names_offset = header_field(3);
  const std::optional<uint64_t> pairs_offset = header_field(7);
  if (!function_count || !text_start || !names_offset || !pairs_offset) {
    *error = "Go function table (.gopclntab) is truncated";
    return std::nullopt;
  }
  // nfunc pairs and the closing entryoff (the end of the text) must fit.
  if (*function_count > bytes.size() / kPairSize || *pairs_offset > bytes.size() ||
      (*function_count * kPairSize + 4) > bytes.size() - *pairs_offset) {
    *error = "Go function table (.gopclntab) is truncated";
    return std::nullopt;
  }
  table.function_count_ = *function_count;
  table.text_start_ = *text_start != 0 ? *text_start : text_address;
  table.names_offset_ = *names_offset;
  table.pairs_offset_ = *pairs_offset;
  table.func_id_at_ = *magic == kMagicGo118 ? 36 : 40;
  return table;
}

std::optional<PclntabFunction> GoPclntab::FunctionAt(size_t index, std::string* error) const {
  if (index >= function_count_) {
    *error = "no function " + std::to_string(index) + " in the Go function table";
    return std::nullopt;
  }
  const uint64_t pair = pairs_offset_ + index * kPairSize;
  // In bounds: Parse checked the whole pair array.
  const uint64_t entry = *Word(pair, 4);
  const uint64_t record = *Word(pair + 4, 4);
  const uint64_t next_entry = *Word(pair + kPairSize, 4);
  const uint64_t record_at = pairs_offset_ + record;
  const std::optional<uint64_t> name_offset = Word(record_at + 4, 4);
  const std::optional<uint64_t> func_id = Word(record_at + func_id_at_, 1);
  if (!name_offset || !func_id) {
    *error = "Go function table (.gopclntab) has a function record out of bounds";
    return std::nullopt;
  }
  // nameoff is an int32; a negative one is corrupt.
  const uint64_t name_at = names_offset_ + *name_offset;
  const void* nul = name_at < bytes_.size() && !(*name_offset & 0x80000000u)
                        ? std::memchr(bytes_.data() + name_at, '\0', bytes_.size() - name_at)
                        : nullptr;
  if (nul == nullptr || next_entry < entry) {
    *error = "Go function table (.gopclntab) has a corrupt function record";
    return std::nullopt;
  }
  const char* name = reinterpret_cast<const char*>(bytes_.data() + name_at);
  return PclntabFunction{std::string_view(name, static_cast<const char*>(nul) - name),
                         text_start_ + entry, text_start_ + next_entry,
                         static_cast<uint8_t>(*func_id)};
}

std::optional<std::vector<PclntabFunction>> GoPclntab::AllFunctions(std::string* error) const {
  std::vector<PclntabFunction> functions;
  functions.reserve(function_count_);
  for (size_t i = 0; i < function_count_; ++i) {
    std::optional<PclntabFunction> function = FunctionAt(i, error);
    if (!function) return std::nullopt;
    functions.push_back(*function);
  }
  return functions;
}

std::optional<PclntabFunction> GoPclntab::Find(std::string_view name) const {
  std::optional<PclntabFunction> found;
  std::string ignored;
  for (size_t i = 0; i < function_count_; ++i) {
    // Compare the name in place before decoding the rest of the record.
    const uint64_t record = *Word(pairs_offset_ + i * kPairSize + 4, 4);
    const std::optional<uint64_t> name_offset = Word(pairs_offset_ + record + 4, 4);
    if (!name_offset) continue;
    const uint64_t name_at = names_offset_ + *name_offset;
    if (name_at > bytes_.size() || name.size() + 1 > bytes_.size() - name_at ||
        std::memcmp(bytes_.data() + name_at, name.data(), name.size()) != 0 ||
        bytes_[name_at + name.size()] != '\0') {
      continue;
    }
    std::optional<PclntabFunction> function = FunctionAt(i, &ignored);
    if (!function) continue;
    if (function->func_id == 0) return function;  // a normal function wins over a wrapper
    if (!found) found = function;
  }
  return found;
}

}  // namespace zerotrace::probes::go
