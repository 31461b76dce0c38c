// The .go.buildinfo parser on hand-made sections: the inline format of Go
// 1.18+, the pointer format of Go 1.13-1.17 (which no toolchain here can
// produce), and what a corrupt section must not do.
#include "probes/go/go_build_info.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace zerotrace::probes::go {
namespace {

using Bytes = std::vector<uint8_t>;

// The linker's 16-byte sentinels around the module information.
const std::string kSentinelStart(
    "0w\xaf\x0c\x92t\x08\x02"
    "A\xe1\xc1\x07\xe6\xd6\x18\xe6",
    16);
const std::string kSentinelEnd(
    "\xf9"
    "2C1\x86\x18 r\x00\x82"
    "B\x10"
    "A\x16\xd8\xf2",
    16);

Bytes Header(uint8_t pointer_size, uint8_t flags) {
  Bytes bytes(32, 0);
  std::memcpy(bytes.data(), "\xff Go buildinf:", 14);
  bytes[14] = pointer_size;
  bytes[15] = flags;
  return bytes;
}

void AppendUvarint(Bytes* bytes, uint64_t value) {
  while (value >= 0x80) {
    bytes->push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  bytes->push_back(static_cast<uint8_t>(value));
}

void AppendInline(Bytes* bytes, const std::string& text) {
  AppendUvarint(bytes, text.size());
  bytes->insert(bytes->end(), text.begin(), text.end());
}

void PutWord(Bytes* bytes, size_t at, uint64_t value, size_t size, bool big_endian) {
  for (size_t i = 0; i < size; ++i) {
    const uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
    (*bytes)[big_endian ? at + size - 1 - i : at + i] = byte;
  }
}

// A fake address space for the pointer format.
class Memory {
 public:
  void Put(uint64_t address, Bytes bytes) { regions_[address] = std::move(bytes); }
  AddressReader Reader() const {
    return [this](uint64_t address, uint64_t size) -> std::span<const uint8_t> {
      for (const auto& [start, bytes] : regions_) {
        if (address >= start && address - start + size <= bytes.size()) {
          return {bytes.data() + (address - start), size};
        }
      }
      return {};
    };
  }

 private:
  std::map<uint64_t, Bytes> regions_;
};

const AddressReader kNoMemory = [](uint64_t, uint64_t) { return std::span<const uint8_t>(); };

TEST(ParseGoVersion, ReadsReleaseVersions) {
  const std::optional<GoVersion> version = ParseGoVersion("go1.19.8");
  ASSERT_TRUE(version);
  EXPECT_EQ(version->major, 1);
  EXPECT_EQ(version->minor, 19);
  EXPECT_EQ(version->patch, 8);
}

TEST(ParseGoVersion, ReadsVersionsWithoutPatchAndDevelBuilds) {
  const std::optional<GoVersion> first_release = ParseGoVersion("go1.20");
  ASSERT_TRUE(first_release);
  EXPECT_EQ(first_release->minor, 20);
  EXPECT_EQ(first_release->patch, 0);
  const std::optional<GoVersion> devel = ParseGoVersion("devel go1.21-4b7d2ab Tue Jun 6");
  ASSERT_TRUE(devel);
  EXPECT_EQ(devel->minor, 21);
  const std::optional<GoVersion> release_candidate = ParseGoVersion("go1.21rc2");
  ASSERT_TRUE(release_candidate);
  EXPECT_EQ(release_candidate->minor, 21);
}

TEST(ParseGoVersion, RejectsTextWithoutAVersion) {
  EXPECT_FALSE(ParseGoVersion(""));
  EXPECT_FALSE(ParseGoVersion("gcc 12.2.0"));
  EXPECT_FALSE(ParseGoVersion("go1."));
}

TEST(ParseGoBuildInfo, ReadsTheInlineFormatOfGo118AndLater) {
  Bytes section = Header(8, 0x2);
  AppendInline(&section, "go1.19.8");
  AppendInline(&section, kSentinelStart + "path\tcommand-line-arguments\n" + kSentinelEnd);
  const std::optional<GoBuildInfo> info = ParseGoBuildInfo(section, kNoMemory);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->version, "go1.19.8");
  EXPECT_EQ(info->module_info, "path\tcommand-line-arguments\n");
}

TEST(ParseGoBuildInfo, FollowsThePointersOfTheOlderFormat) {
  // Go 1.13-1.17: two pointers to string headers {data, length}.
  for (const bool big_endian : {false, true}) {
    for (const size_t pointer_size : {size_t{4}, size_t{8}}) {
      SCOPED_TRACE(::testing::Message()
                   << "pointer size " << pointer_size << ", big endian " << big_endian);
      Bytes section = Header(static_cast<uint8_t>(pointer_size), big_endian ? 0x1 : 0x0);
      PutWord(&section, 16, 0x5000, pointer_size, big_endian);
      PutWord(&section, 16 + pointer_size, 0x5100, pointer_size, big_endian);
      Memory memory;
      Bytes version_header(2 * pointer_size, 0);
      PutWord(&version_header, 0, 0x6000, pointer_size, big_endian);
      PutWord(&version_header, pointer_size, 8, pointer_size, big_endian);
      memory.Put(0x5000, version_header);
      const std::string modules = kSentinelStart + "path\texample.com/app\n" + kSentinelEnd;
      Bytes modules_header(2 * pointer_size, 0);
      PutWord(&modules_header, 0, 0x7000, pointer_size, big_endian);
      PutWord(&modules_header, pointer_size, modules.size(), pointer_size, big_endian);
      memory.Put(0x5100, modules_header);
      memory.Put(0x6000, Bytes{'g', 'o', '1', '.', '1', '7', '.', '3'});
      memory.Put(0x7000, Bytes(modules.begin(), modules.end()));

      const std::optional<GoBuildInfo> info = ParseGoBuildInfo(section, memory.Reader());
      ASSERT_TRUE(info);
      EXPECT_EQ(info->version, "go1.17.3");
      EXPECT_EQ(info->module_info, "path\texample.com/app\n");
    }
  }
}

TEST(ParseGoBuildInfo, RejectsAMissingMagic) {
  Bytes section = Header(8, 0x2);
  section[1] = 'X';
  AppendInline(&section, "go1.19.8");
  EXPECT_FALSE(ParseGoBuildInfo(section, kNoMemory));
}

TEST(ParseGoBuildInfo, RejectsALengthPastTheSection) {
  Bytes section = Header(8, 0x2);
  AppendUvarint(&section, 200);
  section.insert(section.end(), {'g', 'o', '1'});
  EXPECT_FALSE(ParseGoBuildInfo(section, kNoMemory));
}

TEST(ParseGoBuildInfo, RejectsPointersIntoNothing) {
  Bytes section = Header(8, 0x0);
  section.resize(48, 0);
  PutWord(&section, 16, 0xdead0000, 8, false);
  EXPECT_FALSE(ParseGoBuildInfo(section, kNoMemory));
}

TEST(ParseGoBuildInfo, RejectsAVersionThatIsNotGo) {
  Bytes section = Header(8, 0x2);
  AppendInline(&section, "hello");
  EXPECT_FALSE(ParseGoBuildInfo(section, kNoMemory));
}

}  // namespace
}  // namespace zerotrace::probes::go
