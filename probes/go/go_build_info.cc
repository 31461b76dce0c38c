#include "probes/go/go_build_info.h"

#include <charconv>
#include <cstring>

#include "probes/go/elf_image.h"

namespace zerotrace::probes::go {
namespace {

constexpr std::string_view kMagic = "\xff Go buildinf:";
constexpr size_t kHeaderSize = 32;
constexpr uint8_t kFlagBigEndian = 0x1;
constexpr uint8_t kFlagInline = 0x2;
// Limits that only a corrupt file would exceed.
constexpr uint64_t kMaxStringSize = 1 << 20;

uint64_t ReadWord(std::span<const uint8_t> bytes, size_t size, bool big_endian) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    const uint8_t byte = big_endian ? bytes[i] : bytes[size - 1 - i];
    value = (value << 8) | byte;
  }
  return value;
}

// Reads a uvarint (Go's encoding/binary) at `*pos` and advances past it.
std::optional<uint64_t> ReadUvarint(std::span<const uint8_t> bytes, size_t* pos) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64 && *pos < bytes.size(); shift += 7) {
    const uint8_t byte = bytes[(*pos)++];
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

std::optional<std::string> ReadInlineString(std::span<const uint8_t> bytes, size_t* pos) {
  const std::optional<uint64_t> size = ReadUvarint(bytes, pos);
  if (!size || *size > kMaxStringSize || *size > bytes.size() - *pos) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(bytes.data() + *pos), *size);
  *pos += *size;
  return text;
}

// A Go string header {data pointer, length} at `address`.
std::optional<std::string> ReadStringAt(uint64_t address, size_t pointer_size, bool big_endian,
                                        const AddressReader& read) {
  const std::span<const uint8_t> header = read(address, 2 * pointer_size);
  if (header.size() != 2 * pointer_size) return std::nullopt;
  const uint64_t data = ReadWord(header, pointer_size, big_endian);
  const uint64_t size = ReadWord(header.subspan(pointer_size), pointer_size, big_endian);
  if (size > kMaxStringSize) return std::nullopt;
  if (size == 0) return std::string();
  const std::span<const uint8_t> bytes = read(data, size);
  if (bytes.size() != size) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// The linker wraps the module information in 16-byte sentinels so that it
// can be found without parsing; debug/buildinfo strips them the same way.
std::string StripModuleSentinels(std::string text) {
  if (text.size() >= 33 && text[text.size() - 17] == '\n') {
    return text.substr(16, text.size() - 32);
  }
  return {};
}

}  // namespace

std::optional<GoVersion> ParseGoVersion(std::string_view text) {
  const size_t start = text.find("go1.");
  if (start == std::string_view::npos) return std::nullopt;
  const char* cursor = text.data() + start + 2;
  const char* end = text.data() + text.size();
  GoVersion version;
  auto [after_major, major_error] = std::from_chars(cursor, end, version.major);
  if (major_error != std::errc() || after_major == end || *after_major != '.') return std::nullopt;
  auto [after_minor, minor_error] = std::from_chars(after_major + 1, end, version.minor);
  if (minor_error != std::errc()) return std::nullopt;
  if (after_minor != end && *after_minor == '.') {
    auto [after_patch, patch_error] = std::from_chars(after_minor + 1, end, version.patch);
    if (patch_error != std::errc()) version.patch = 0;
  }
  return version;
}

std::optional<GoBuildInfo> ParseGoBuildInfo(std::span<const uint8_t> section,
                                            const AddressReader& read) {
  if (section.size() < kHeaderSize ||
      std::memcmp(section.data(), kMagic.data(), kMagic.size()) != 0) {
    return std::nullopt;
  }
  const size_t pointer_size = section[14];
  const uint8_t flags = section[15];
  GoBuildInfo info;
  if (flags & kFlagInline) {
    size_t pos = kHeaderSize;
    std::optional<std::string> version = ReadInlineString(section, &pos);
    if (!version) return std::nullopt;
    info.version = std::move(*version);
    if (std::optional<std::string> modules = ReadInlineString(section, &pos)) {
      info.module_info = StripModuleSentinels(std::move(*modules));
    }
  } else {
    if (pointer_size != 4 && pointer_size != 8) return std::nullopt;
    if (section.size() < 16 + 2 * pointer_size) return std::nullopt;
    const bool big_endian = flags & kFlagBigEndian;
    const uint64_t version_at = ReadWord(section.subspan(16), pointer_size, big_endian);
    const uint64_t modules_at =
        ReadWord(section.subspan(16 + pointer_size), pointer_size, big_endian);
    std::optional<std::string> version = ReadStringAt(version_at, pointer_size, big_endian, read);
    if (!version) return std::nullopt;
    info.version = std::move(*version);
    if (std::optional<std::string> modules =
            ReadStringAt(modules_at, pointer_size, big_endian, read)) {
      info.module_info = StripModuleSentinels(std::move(*modules));
    }
  }
  if (!info.version.starts_with("go") && !info.version.starts_with("devel")) return std::nullopt;
  return info;
}

std::optional<GoBuildInfo> ReadGoBuildInfo(const ElfImage& image) {
  const AddressReader read = [&image](uint64_t address, uint64_t size) {
    return image.BytesAt(address, size);
  };
  if (std::optional<ElfSection> section = image.FindSection(".go.buildinfo")) {
    if (std::optional<GoBuildInfo> info = ParseGoBuildInfo(image.SectionBytes(*section), read)) {
      return info;
    }
  }
  // runtime.buildVersion is the Go string the runtime reports from
  // runtime.Version(); it exists in every Go binary that kept its symbols.
  if (std::optional<ElfSymbol> symbol = image.FindSymbol("runtime.buildVersion")) {
    if (std::optional<std::string> version =
            ReadStringAt(symbol->address, 8, !image.little_endian(), read)) {
      if (version->starts_with("go") || version->starts_with("devel")) {
        return GoBuildInfo{std::move(*version), {}};
      }
    }
  }
  return std::nullopt;
}

}  // namespace zerotrace::probes::go
