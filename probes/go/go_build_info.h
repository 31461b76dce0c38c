// Which Go toolchain built a binary. The linker writes it into the
// .go.buildinfo section: a 32-byte header starting "\xff Go buildinf:", then
// either (Go >= 1.18, flag bit 2 set) the version and module strings inline,
// each preceded by its uvarint length, or (Go 1.13 - 1.17) two pointers to
// Go string headers {data pointer, length} elsewhere in the file.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace zerotrace::probes::go {

class ElfImage;

// "go1.19.8" → {1, 19, 8}; "go1.20" → {1, 20, 0}; "devel go1.21-abc" → {1, 21, 0}.
struct GoVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
};
std::optional<GoVersion> ParseGoVersion(std::string_view text);

struct GoBuildInfo {
  std::string version;      // e.g. "go1.19.8"
  std::string module_info;  // "path\t...\nmod\t..." lines; may be empty
};

// Reads `size` bytes at a virtual address of the same file; empty if the
// address is not in the file.
using AddressReader = std::function<std::span<const uint8_t>(uint64_t address, uint64_t size)>;

// Parses a .go.buildinfo section (pure, for tests). Nothing if the magic is
// missing or a length or pointer leads outside the data.
std::optional<GoBuildInfo> ParseGoBuildInfo(std::span<const uint8_t> section,
                                            const AddressReader& read);

// The version of the Go binary `image`: .go.buildinfo first, then the
// runtime.buildVersion string through .symtab (binaries older than Go 1.13,
// or with the section lost). Nothing for a file not built by Go.
std::optional<GoBuildInfo> ReadGoBuildInfo(const ElfImage& image);

}  // namespace zerotrace::probes::go
