// GoBinary on real Go programs built by the host's Go toolchain: a net/http
// server and client over crypto/tls, once normally and once stripped
// (-ldflags='-s -w'). Expected values come from independent sources: `go env
// GOVERSION`, `go tool nm`, `go tool objdump`, and field offsets printed by a
// Go program through debug/dwarf and through reflection.
#include "probes/go/go_binary.h"

#include <elf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "probes/go/elf_image.h"
#include "probes/go/go_pclntab.h"
#include "tests/unit/go/go_test_programs.h"

namespace zerotrace::probes::go {
namespace {

using test_programs::BuiltGoPrograms;
using test_programs::CommandResult;
using test_programs::GoPrograms;
using test_programs::RunGoCommand;
using ::testing::HasSubstr;

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> Fields(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::istringstream stream(line);
  std::string field;
  while (std::getline(stream, field, separator)) {
    if (!field.empty()) fields.push_back(field);
  }
  return fields;
}

std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

// One instruction as `go tool objdump` prints it.
struct ObjdumpLine {
  uint64_t address = 0;
  std::vector<uint8_t> encoding;
  std::string assembly;  // Go assembler syntax: "RET", "CALL ..."
};

std::vector<ObjdumpLine> Objdump(const std::string& binary, const std::string& function) {
  std::string pattern = "^";
  for (char c : function) {
    if (std::string_view("()*.[]+?$^\\|{}").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  pattern += "$";
  const CommandResult result =
      RunGoCommand({"go", "tool", "objdump", "-s", pattern, binary}, false);
  std::vector<ObjdumpLine> lines;
  std::istringstream stream(result.output);
  std::string line;
  while (std::getline(stream, line)) {
    // "  conn.go:1133\t\t0x5a5c60\t\t4c8d642498\t\tLEAQ -0x68(SP), R12\t\t"
    const std::vector<std::string> fields = Fields(line, '\t');
    if (fields.size() < 4 || !fields[1].starts_with("0x")) continue;
    std::string assembly = fields[3];
    while (!assembly.empty() && assembly.back() == ' ') assembly.pop_back();
    lines.push_back({std::stoull(fields[1], nullptr, 16), FromHex(fields[2]), assembly});
  }
  return lines;
}

struct NmEntry {
  uint64_t address = 0;
  uint64_t size = 0;
};

// `go tool nm -size`: "  5a5c60       1957 T crypto/tls.(*Conn).Write".
std::map<std::string, NmEntry> GoToolNm(const std::string& binary) {
  const CommandResult result = RunGoCommand({"go", "tool", "nm", "-size", binary}, false);
  std::map<std::string, NmEntry> symbols;
  std::istringstream stream(result.output);
  std::string line;
  while (std::getline(stream, line)) {
    const std::vector<std::string> fields = Fields(line, ' ');
    if (fields.size() < 4 || (fields[2] != "T" && fields[2] != "t")) continue;
    // Names with spaces do not occur among functions; keep the rest joined anyway.
    std::string name = fields[3];
    for (size_t i = 4; i < fields.size(); ++i) name += " " + fields[i];
    symbols[name] = {std::stoull(fields[0], nullptr, 16), std::stoull(fields[1])};
  }
  return symbols;
}

using Offsets = std::map<std::pair<std::string, std::string>, uint64_t>;

// Runs the oracle; each output line is "TYPE FIELD OFFSET".
Offsets Oracle(const std::string& oracle, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), oracle);
  const CommandResult result = RunGoCommand(arguments, false);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  Offsets offsets;
  std::multiset<std::pair<std::string, std::string>> seen;
  std::istringstream stream(result.output);
  std::string line;
  while (std::getline(stream, line)) {
    const std::vector<std::string> fields = Fields(line, ' ');
    if (fields.size() != 3) continue;
    seen.insert({fields[0], fields[1]});
    offsets[{fields[0], fields[1]}] = std::stoull(fields[2]);
  }
  // A name used twice (blank "_" fields) has no single answer.
  for (const auto& key : seen) {
    if (seen.count(key) > 1) offsets.erase(key);
  }
  return offsets;
}

std::vector<std::string> ProbedFieldPairs() {
  std::vector<std::string> pairs;
  for (const GoFieldName& name : GoFieldNames()) {
    pairs.emplace_back(name.type);
    pairs.emplace_back(name.field);
  }
  return pairs;
}

// A copy of `path` beside it, with the byte at `offset` in .go.buildinfo
// changed from `expected` to `value`; the caller removes it. Empty on failure.
std::string CopyWithBuildInfoByte(const std::string& path, const std::string& label, size_t offset,
                                  char expected, char value) {
  std::vector<uint8_t> file = ReadFile(path);
  std::string error;
  const std::unique_ptr<ElfImage> image = ElfImage::Open(path, &error);
  const std::optional<ElfSection> section =
      image ? image->FindSection(".go.buildinfo") : std::nullopt;
  if (!section || section->offset + offset >= file.size()) {
    ADD_FAILURE() << path << ": no .go.buildinfo to patch " << error;
    return {};
  }
  uint8_t& byte = file[section->offset + offset];
  if (byte != static_cast<uint8_t>(expected)) {
    ADD_FAILURE() << path << ": .go.buildinfo+" << offset << " is '" << byte << "', not '"
                  << expected << "'";
    return {};
  }
  byte = static_cast<uint8_t>(value);
  const std::string copy = path + "." + label + "." + std::to_string(getpid());
  std::ofstream(copy, std::ios::binary)
      .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  return copy;
}

class GoBinaryOnRealPrograms : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    const std::optional<GoPrograms>& programs = BuiltGoPrograms(&reason);
    if (!programs) {
      if (test_programs::RunningInCi()) FAIL() << "CI=true and no Go programs: " << reason;
      GTEST_SKIP() << reason;
    }
    programs_ = &*programs;
  }

  std::unique_ptr<GoBinary> OpenOrFail(const std::string& path) {
    std::string error;
    std::unique_ptr<GoBinary> binary = GoBinary::Open(path, &error);
    EXPECT_TRUE(binary) << error;
    return binary;
  }

  const GoPrograms* programs_ = nullptr;
};

TEST_F(GoBinaryOnRealPrograms, ReadsTheToolchainVersionFromBuildInfo) {
  ASSERT_THAT(programs_->go_version, ::testing::StartsWith("go1."));
  for (const std::string& path : {programs_->roundtrip, programs_->roundtrip_stripped}) {
    std::unique_ptr<GoBinary> binary = OpenOrFail(path);
    ASSERT_TRUE(binary);
    EXPECT_EQ(binary->version_text(), programs_->go_version);
    EXPECT_EQ(binary->version().major, 1);
    EXPECT_EQ(ParseGoVersion(programs_->go_version)->minor, binary->version().minor);
    EXPECT_THAT(binary->module_info(), HasSubstr("path\tcommand-line-arguments"));
  }
}

TEST_F(GoBinaryOnRealPrograms, FallsBackToRuntimeBuildVersionWithoutBuildInfo) {
  // Break the .go.buildinfo magic ("\xff Go buildinf:"): the version must
  // then come from the runtime.buildVersion string through .symtab.
  const std::string full = CopyWithBuildInfoByte(programs_->roundtrip, "nomagic", 2, 'G', 'X');
  const std::string stripped =
      CopyWithBuildInfoByte(programs_->roundtrip_stripped, "nomagic", 2, 'G', 'X');
  ASSERT_FALSE(full.empty() || stripped.empty());
  std::string error;
  std::unique_ptr<GoBinary> binary = GoBinary::Open(full, &error);
  std::unique_ptr<GoBinary> without_symbols = GoBinary::Open(stripped, &error);
  std::filesystem::remove(full);
  std::filesystem::remove(stripped);
  ASSERT_TRUE(binary) << error;
  EXPECT_EQ(binary->version_text(), programs_->go_version);
  EXPECT_TRUE(binary->module_info().empty());
  // Stripped too: nothing is left to tell it is Go.
  EXPECT_FALSE(without_symbols);
  EXPECT_THAT(error, HasSubstr("not a Go program"));
}

TEST_F(GoBinaryOnRealPrograms, IsTheGo119ThisProjectSupports) {
  // Debian 12's golang-go; the built-in offset table and these tests are for it.
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  EXPECT_THAT(binary->version_text(), ::testing::StartsWith("go1.19"));
}

TEST_F(GoBinaryOnRealPrograms, SeesSymbolsAndDwarfOnlyWhenNotStripped) {
  std::unique_ptr<GoBinary> full = OpenOrFail(programs_->roundtrip);
  std::unique_ptr<GoBinary> stripped = OpenOrFail(programs_->roundtrip_stripped);
  ASSERT_TRUE(full && stripped);
  EXPECT_TRUE(full->has_symbols());
  EXPECT_TRUE(full->has_dwarf());
  EXPECT_FALSE(stripped->has_symbols());
  EXPECT_FALSE(stripped->has_dwarf());
  EXPECT_TRUE(full->function_table()) << full->function_table_error();
  EXPECT_TRUE(stripped->function_table()) << stripped->function_table_error();
}

TEST_F(GoBinaryOnRealPrograms, FindsProbedFunctionsWhereGoToolNmSaysTheyAre) {
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  const std::map<std::string, NmEntry> nm = GoToolNm(programs_->roundtrip);
  for (std::string_view name : kGoProbedFunctions) {
    SCOPED_TRACE(name);
    std::string error;
    const std::optional<GoFunction> function = binary->FindFunction(name, &error);
    ASSERT_TRUE(function) << error;
    EXPECT_EQ(function->source, FunctionSource::kSymtab);
    const auto expected = nm.find(std::string(name));
    ASSERT_NE(expected, nm.end());
    EXPECT_EQ(function->address, expected->second.address);
    EXPECT_EQ(function->size, expected->second.size);
  }
}

TEST_F(GoBinaryOnRealPrograms, EntryFileOffsetHoldsTheFirstInstructionObjdumpShows) {
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  const std::vector<uint8_t> file = ReadFile(programs_->roundtrip);
  for (std::string_view name : kGoProbedFunctions) {
    SCOPED_TRACE(name);
    std::string error;
    const std::optional<GoFunction> function = binary->FindFunction(name, &error);
    ASSERT_TRUE(function) << error;
    const std::vector<ObjdumpLine> code = Objdump(programs_->roundtrip, std::string(name));
    ASSERT_FALSE(code.empty());
    EXPECT_EQ(code.front().address, function->address);
    const std::vector<uint8_t>& first = code.front().encoding;
    ASSERT_LE(function->file_offset + first.size(), file.size());
    EXPECT_TRUE(std::equal(first.begin(), first.end(), file.begin() + function->file_offset));
  }
}

TEST_F(GoBinaryOnRealPrograms, ReturnOffsetsAreTheRetsObjdumpShowsAndPointAtC3) {
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  const std::vector<uint8_t> file = ReadFile(programs_->roundtrip);
  for (std::string_view name : kGoProbedFunctions) {
    SCOPED_TRACE(name);
    std::string error;
    const std::optional<GoFunction> function = binary->FindFunction(name, &error);
    ASSERT_TRUE(function) << error;
    const std::optional<std::vector<ReturnInstruction>> returns =
        binary->FindReturns(*function, &error);
    ASSERT_TRUE(returns) << error;
    EXPECT_FALSE(returns->empty());
    std::vector<uint64_t> found;
    for (const ReturnInstruction& ret : *returns) {
      ASSERT_LT(ret.file_offset, file.size());
      EXPECT_EQ(file[ret.file_offset], 0xc3) << "at file offset " << ret.file_offset;
      found.push_back(ret.address);
    }
    std::vector<uint64_t> expected;
    for (const ObjdumpLine& line : Objdump(programs_->roundtrip, std::string(name))) {
      if (line.assembly == "RET") expected.push_back(line.address);
    }
    EXPECT_EQ(found, expected);
  }
}

TEST_F(GoBinaryOnRealPrograms, StrippedBinaryFindsFunctionsAndReturnsThroughPclntab) {
  std::unique_ptr<GoBinary> full = OpenOrFail(programs_->roundtrip);
  std::unique_ptr<GoBinary> stripped = OpenOrFail(programs_->roundtrip_stripped);
  ASSERT_TRUE(full && stripped);
  const std::vector<uint8_t> stripped_file = ReadFile(programs_->roundtrip_stripped);
  {
    std::string error;
    const std::unique_ptr<ElfImage> full_image = ElfImage::Open(programs_->roundtrip, &error);
    const std::unique_ptr<ElfImage> stripped_image =
        ElfImage::Open(programs_->roundtrip_stripped, &error);
    ASSERT_TRUE(full_image && stripped_image) << error;
    const std::optional<ElfSection> full_text = full_image->FindSection(".text");
    const std::optional<ElfSection> stripped_text = stripped_image->FindSection(".text");
    ASSERT_TRUE(full_text && stripped_text);
    ASSERT_EQ(full_text->address, stripped_text->address);
    ASSERT_EQ(full_text->size, stripped_text->size);
  }
  for (std::string_view name : kGoProbedFunctions) {
    SCOPED_TRACE(name);
    std::string error;
    const std::optional<GoFunction> expected = full->FindFunction(name, &error);
    ASSERT_TRUE(expected) << error;
    const std::optional<GoFunction> function = stripped->FindFunction(name, &error);
    ASSERT_TRUE(function) << error;
    EXPECT_EQ(function->source, FunctionSource::kPclntab);
    // -s -w drop symbols and DWARF but leave .text as it was (checked
    // below), so the table must put the function where .symtab did.
    EXPECT_EQ(function->address, expected->address);
    EXPECT_EQ(function->file_offset, expected->file_offset);
    // The table's size runs to the next function (padding included).
    EXPECT_GE(function->size, expected->size);
    EXPECT_LT(function->size, expected->size + 64);
    // The same first instruction (the stack check, which refers to no data:
    // data moved, so RIP-relative operands further in differ).
    const std::vector<ObjdumpLine> code = Objdump(programs_->roundtrip, std::string(name));
    ASSERT_FALSE(code.empty());
    const std::vector<uint8_t>& first = code.front().encoding;
    ASSERT_LE(function->file_offset + first.size(), stripped_file.size());
    EXPECT_TRUE(
        std::equal(first.begin(), first.end(), stripped_file.begin() + function->file_offset));
    const std::optional<std::vector<ReturnInstruction>> full_returns =
        full->FindReturns(*expected, &error);
    const std::optional<std::vector<ReturnInstruction>> returns =
        stripped->FindReturns(*function, &error);
    ASSERT_TRUE(full_returns && returns) << error;
    ASSERT_EQ(returns->size(), full_returns->size());
    for (size_t i = 0; i < returns->size(); ++i) {
      EXPECT_EQ(stripped_file[(*returns)[i].file_offset], 0xc3);
      EXPECT_EQ((*returns)[i].file_offset - function->file_offset,
                (*full_returns)[i].file_offset - expected->file_offset);
    }
  }
}

TEST_F(GoBinaryOnRealPrograms, PclntabAgreesWithSymtabOnEveryFunction) {
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary && binary->function_table());
  std::string error;
  const std::optional<std::vector<PclntabFunction>> all =
      binary->function_table()->AllFunctions(&error);
  ASSERT_TRUE(all) << error;
  ASSERT_EQ(all->size(), binary->function_table()->function_count());
  for (size_t i = 1; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i - 1].end, (*all)[i].address);  // sorted, back to back
  }
  std::unique_ptr<ElfImage> image = ElfImage::Open(programs_->roundtrip, &error);
  ASSERT_TRUE(image) << error;
  std::map<std::string, uint64_t, std::less<>> symbols;
  image->ForEachSymbol([&](const ElfSymbol& symbol) {
    if (symbol.function) symbols.emplace(std::string(symbol.name), symbol.address);
    return true;
  });
  // The table names a function and its ABI wrapper alike; .symtab calls the
  // ABI0 one NAME.abi0. Either may be the body (a Go function called from
  // assembly, or an assembly function called from Go), so a lookup must land
  // on one of the two, and every other name exactly where .symtab says.
  size_t matched = 0;
  size_t with_wrapper = 0;
  for (const auto& [name, address] : symbols) {
    const std::optional<PclntabFunction> function = binary->function_table()->Find(name);
    if (!function) continue;  // C functions linked by cgo are not Go's
    ++matched;
    const auto abi0 = symbols.find(name + ".abi0");
    if (abi0 == symbols.end()) {
      EXPECT_EQ(function->address, address) << name;
    } else {
      ++with_wrapper;
      EXPECT_TRUE(function->address == address || function->address == abi0->second) << name;
    }
  }
  EXPECT_GT(matched, binary->function_table()->function_count() * 9 / 10);
  EXPECT_GT(matched, 1000u);
  EXPECT_GT(with_wrapper, 0u);  // the case did occur
  // runtime.write is Go code with an ABI0 wrapper for assembly callers: the
  // lookup must give the Go body, as .symtab does, not the wrapper.
  ASSERT_TRUE(symbols.contains("runtime.write.abi0"));
  ASSERT_TRUE(binary->function_table()->Find("runtime.write"));
  EXPECT_EQ(binary->function_table()->Find("runtime.write")->address, symbols.at("runtime.write"));
}

TEST_F(GoBinaryOnRealPrograms, ProbedFieldOffsetsMatchGoDebugDwarf) {
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  std::vector<std::string> arguments = {"dwarf", programs_->roundtrip};
  const std::vector<std::string> pairs = ProbedFieldPairs();
  arguments.insert(arguments.end(), pairs.begin(), pairs.end());
  const Offsets expected = Oracle(programs_->oracle, arguments);
  ASSERT_EQ(expected.size(), kGoFieldCount);

  std::string error;
  const std::optional<GoFieldOffsets> offsets = binary->FieldOffsets(&error);
  ASSERT_TRUE(offsets) << error;
  EXPECT_TRUE(offsets->complete());
  for (size_t i = 0; i < kGoFieldCount; ++i) {
    const GoFieldName& name = GoFieldNames()[i];
    SCOPED_TRACE(std::string(name.type) + "." + std::string(name.field));
    EXPECT_EQ(offsets->sources[i], FieldSource::kDwarf);
    ASSERT_TRUE(offsets->offsets[i]);
    EXPECT_EQ(*offsets->offsets[i], expected.at({std::string(name.type), std::string(name.field)}));
  }
}

TEST_F(GoBinaryOnRealPrograms, AnyFieldOffsetMatchesGoDebugDwarf) {
  // Every field of a few large structs, not only the probed ones.
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  const Offsets expected =
      Oracle(programs_->oracle,
             {"dwarf", programs_->roundtrip, "runtime.g", "*", "crypto/tls.Conn", "*",
              "net/http.Request", "*", "net/http.Transport", "*", "net/http.Server", "*"});
  ASSERT_GT(expected.size(), 100u);
  std::set<uint64_t> distinct;
  for (const auto& [key, offset] : expected) {
    std::string error;
    const std::optional<uint64_t> found = binary->FieldOffset(key.first, key.second, &error);
    ASSERT_TRUE(found) << key.first << "." << key.second << ": " << error;
    EXPECT_EQ(*found, offset) << key.first << "." << key.second;
    distinct.insert(offset);
  }
  EXPECT_GT(distinct.size(), 50u);  // the comparison is not all zeros
}

TEST_F(GoBinaryOnRealPrograms, BuiltInOffsetsMatchDwarfAndReflection) {
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  const std::optional<std::array<uint32_t, kGoFieldCount>> built_in =
      BuiltInFieldOffsets(binary->version(), EM_X86_64);
  ASSERT_TRUE(built_in) << "no built-in table for " << binary->version_text();

  std::vector<std::string> dwarf_arguments = {"dwarf", programs_->roundtrip};
  std::vector<std::string> reflect_arguments = {"reflect"};
  const std::vector<std::string> pairs = ProbedFieldPairs();
  dwarf_arguments.insert(dwarf_arguments.end(), pairs.begin(), pairs.end());
  reflect_arguments.insert(reflect_arguments.end(), pairs.begin(), pairs.end());
  const Offsets from_dwarf = Oracle(programs_->oracle, dwarf_arguments);
  const Offsets from_reflection = Oracle(programs_->oracle, reflect_arguments);
  // Reflection reaches every probed type except runtime.g.
  EXPECT_EQ(from_reflection.size(), kGoFieldCount - 1);
  for (size_t i = 0; i < kGoFieldCount; ++i) {
    const GoFieldName& name = GoFieldNames()[i];
    const std::pair<std::string, std::string> key = {std::string(name.type),
                                                     std::string(name.field)};
    SCOPED_TRACE(key.first + "." + key.second);
    ASSERT_TRUE(from_dwarf.contains(key));
    EXPECT_EQ((*built_in)[i], from_dwarf.at(key));
    if (from_reflection.contains(key)) {
      EXPECT_EQ((*built_in)[i], from_reflection.at(key));
    }
  }
}

TEST_F(GoBinaryOnRealPrograms, StrippedBinaryGetsFieldOffsetsFromTheBuiltInTable) {
  std::unique_ptr<GoBinary> full = OpenOrFail(programs_->roundtrip);
  std::unique_ptr<GoBinary> stripped = OpenOrFail(programs_->roundtrip_stripped);
  ASSERT_TRUE(full && stripped);
  std::string error;
  const std::optional<GoFieldOffsets> expected = full->FieldOffsets(&error);
  const std::optional<GoFieldOffsets> offsets = stripped->FieldOffsets(&error);
  ASSERT_TRUE(expected && offsets) << error;
  EXPECT_TRUE(offsets->complete());
  for (size_t i = 0; i < kGoFieldCount; ++i) {
    EXPECT_EQ(offsets->sources[i], FieldSource::kBuiltInTable);
    EXPECT_EQ(offsets->offsets[i], expected->offsets[i]) << GoFieldNames()[i].field;
  }
  EXPECT_FALSE(stripped->FieldOffset("runtime.g", "goid", &error));
  EXPECT_THAT(error, HasSubstr("no DWARF"));
}

TEST_F(GoBinaryOnRealPrograms, StrippedBinaryOfAnotherGoVersionIsUnsupportedWithAReason) {
  // No other toolchain here: relabel a copy of the stripped binary as go1.99.
  // Inline format: 32-byte header, one length byte, then "go1.19...".
  const std::string relabelled =
      CopyWithBuildInfoByte(programs_->roundtrip_stripped, "go199", 33 + 4, '1', '9');
  ASSERT_FALSE(relabelled.empty());
  std::unique_ptr<GoBinary> binary = OpenOrFail(relabelled);
  std::filesystem::remove(relabelled);
  ASSERT_TRUE(binary);
  EXPECT_EQ(binary->version().minor, 99);
  std::string error;
  EXPECT_FALSE(binary->FieldOffsets(&error));
  EXPECT_THAT(error, ::testing::StartsWith("unsupported: "));
  EXPECT_THAT(error, HasSubstr("no DWARF"));
  EXPECT_THAT(error, HasSubstr("go1.19"));
  EXPECT_EQ(error.find('\n'), std::string::npos);
  // Functions and returns do not depend on the version.
  const std::optional<GoFunction> write = binary->FindFunction("crypto/tls.(*Conn).Write", &error);
  ASSERT_TRUE(write) << error;
  EXPECT_THAT(binary->Describe(), HasSubstr("field offsets: unsupported: "));
}

TEST_F(GoBinaryOnRealPrograms, UnknownFieldsAndFunctionsSayWhy) {
  std::unique_ptr<GoBinary> binary = OpenOrFail(programs_->roundtrip);
  ASSERT_TRUE(binary);
  std::string error;
  EXPECT_FALSE(binary->FieldOffset("net/http.NoSuchType", "x", &error));
  EXPECT_THAT(error, HasSubstr("no struct net/http.NoSuchType"));
  EXPECT_FALSE(binary->FieldOffset("runtime.g", "no_such_field", &error));
  EXPECT_THAT(error, HasSubstr("has no field no_such_field"));
  EXPECT_FALSE(binary->FindFunction("main.noSuchFunction", &error));
  EXPECT_THAT(error, HasSubstr("main.noSuchFunction is not in"));
}

TEST_F(GoBinaryOnRealPrograms, DescribesTheBinaryInOneLine) {
  std::unique_ptr<GoBinary> full = OpenOrFail(programs_->roundtrip);
  std::unique_ptr<GoBinary> stripped = OpenOrFail(programs_->roundtrip_stripped);
  ASSERT_TRUE(full && stripped);
  std::string error;
  const std::optional<GoFunction> write = full->FindFunction("crypto/tls.(*Conn).Write", &error);
  ASSERT_TRUE(write) << error;
  const size_t write_returns = full->FindReturns(*write, &error)->size();

  const std::string line = full->Describe();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_THAT(line, ::testing::StartsWith(programs_->go_version + ", "));
  EXPECT_THAT(line, ::testing::MatchesRegex(".*, [0-9]+\\.[0-9] MB text, .*"));
  EXPECT_THAT(line, HasSubstr("symbols: yes, DWARF: yes"));
  EXPECT_THAT(line,
              HasSubstr("crypto/tls.(*Conn).Write: " + std::to_string(write_returns) + " returns"));
  EXPECT_THAT(line, HasSubstr("field offsets: DWARF"));

  const std::string stripped_line = stripped->Describe();
  EXPECT_THAT(stripped_line, HasSubstr("symbols: no (Go function table), DWARF: no"));
  EXPECT_THAT(stripped_line,
              HasSubstr("crypto/tls.(*Conn).Write: " + std::to_string(write_returns) + " returns"));
  EXPECT_THAT(stripped_line, HasSubstr("field offsets: built-in table (go1.19 on x86-64)"));
}

TEST(GoBinary, SaysANonGoElfFileIsNotAGoProgram) {
  std::string error;
  EXPECT_FALSE(GoBinary::Open("/bin/true", &error));
  EXPECT_EQ(error, "/bin/true: not a Go program (no Go build information)");
}

TEST(GoBinary, SaysATextFileIsNotElf) {
  const std::string path = std::string(ZT_GO_PROGRAMS_DIR) + "/https_roundtrip/main.go";
  std::string error;
  EXPECT_FALSE(GoBinary::Open(path, &error));
  EXPECT_EQ(error, path + ": not an ELF file");
}

TEST(GoBinary, SaysAMissingFileIsMissing) {
  std::string error;
  EXPECT_FALSE(GoBinary::Open("/nonexistent/zerotrace-go-binary", &error));
  EXPECT_EQ(error, "/nonexistent/zerotrace-go-binary: No such file or directory");
}

}  // namespace
}  // namespace zerotrace::probes::go
