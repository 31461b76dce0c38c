// Go's function table parser on hand-made tables (the real ones are checked
// against .symtab in go_binary_test.cc): names, addresses and ends, both
// magics it reads, and one clear error for everything else.
#include "probes/go/go_pclntab.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zerotrace::probes::go {
namespace {

using Bytes = std::vector<uint8_t>;

struct FakeFunction {
  std::string name;
  uint32_t entry;       // offset from textStart
  uint8_t func_id = 0;  // 0 normal; 21 a wrapper in Go 1.19
};

void PutWord(Bytes* bytes, size_t at, uint64_t value, size_t size) {
  if (bytes->size() < at + size) bytes->resize(at + size, 0);
  for (size_t i = 0; i < size; ++i) (*bytes)[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

// A little-endian 64-bit Go 1.18+ table: header, names, then the pairs and
// the _func records behind them. `text_end` is the last pair's entryoff.
Bytes MakeTable(uint32_t magic, uint64_t text_start, const std::vector<FakeFunction>& functions,
                uint32_t text_end) {
  const size_t header_size = 8 + 8 * 8;
  Bytes table(header_size, 0);
  PutWord(&table, 0, magic, 4);
  table[6] = 1;  // instruction quantum on x86
  table[7] = 8;  // pointer size
  const size_t func_id_at = magic == 0xfffffff1 ? 40 : 36;
  std::vector<uint32_t> name_offsets;
  Bytes names;
  for (const FakeFunction& function : functions) {
    name_offsets.push_back(static_cast<uint32_t>(names.size()));
    names.insert(names.end(), function.name.begin(), function.name.end());
    names.push_back('\0');
  }
  const size_t names_offset = header_size;
  const size_t pairs_offset = names_offset + names.size();
  PutWord(&table, 8, functions.size(), 8);  // nfunc
  PutWord(&table, 16, 0, 8);                // nfiles
  PutWord(&table, 24, text_start, 8);
  PutWord(&table, 32, names_offset, 8);
  PutWord(&table, 64, pairs_offset, 8);  // pclnOffset
  table.insert(table.end(), names.begin(), names.end());
  const size_t records = (functions.size() + 1) * 8;
  const size_t record_size = 44;  // a Go 1.20 _func; only the first 8 bytes are read
  for (size_t i = 0; i < functions.size(); ++i) {
    const size_t record = records + i * record_size;
    PutWord(&table, pairs_offset + i * 8, functions[i].entry, 4);
    PutWord(&table, pairs_offset + i * 8 + 4, record, 4);
    PutWord(&table, pairs_offset + record, functions[i].entry, 4);
    PutWord(&table, pairs_offset + record + 4, name_offsets[i], 4);
    PutWord(&table, pairs_offset + record + func_id_at, functions[i].func_id, 1);
    PutWord(&table, pairs_offset + record + record_size - 1, 0, 1);
  }
  PutWord(&table, pairs_offset + functions.size() * 8, text_end, 4);
  return table;
}

const std::vector<FakeFunction> kFunctions = {
    {"internal/cpu.Initialize", 0x0},
    {"crypto/tls.(*Conn).Write", 0x40},
    {"main.main", 0x7a0},
};

TEST(GoPclntab, ReadsNamesAndAddressesOfGo118Tables) {
  const Bytes bytes = MakeTable(0xfffffff0, 0x401000, kFunctions, 0x800);
  std::string error;
  const std::optional<GoPclntab> table = GoPclntab::Parse(bytes, true, 0x999000, &error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(table->text_start(), 0x401000u);
  ASSERT_EQ(table->function_count(), 3u);
  const std::optional<std::vector<PclntabFunction>> all = table->AllFunctions(&error);
  ASSERT_TRUE(all) << error;
  EXPECT_EQ((*all)[0].name, "internal/cpu.Initialize");
  EXPECT_EQ((*all)[2].name, "main.main");
  EXPECT_FALSE(table->FunctionAt(3, &error));
  const std::optional<PclntabFunction> write = table->Find("crypto/tls.(*Conn).Write");
  ASSERT_TRUE(write);
  EXPECT_EQ(write->address, 0x401040u);
  EXPECT_EQ(write->end, 0x4017a0u);  // where main.main starts
  const std::optional<PclntabFunction> last = table->Find("main.main");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->end, 0x401800u);  // the text's end, from the closing pair
  EXPECT_FALSE(table->Find("main.absent"));
}

TEST(GoPclntab, ReadsGo120Tables) {
  const Bytes bytes = MakeTable(0xfffffff1, 0x401000, kFunctions, 0x800);
  std::string error;
  const std::optional<GoPclntab> table = GoPclntab::Parse(bytes, true, 0, &error);
  ASSERT_TRUE(table) << error;
  ASSERT_TRUE(table->Find("internal/cpu.Initialize"));
  EXPECT_EQ(table->Find("internal/cpu.Initialize")->address, 0x401000u);
}

TEST(GoPclntab, PrefersTheFunctionOverItsWrapperOfTheSameName) {
  for (const uint32_t magic : {0xfffffff0u, 0xfffffff1u}) {
    // The ABI0 wrapper of a Go function called from assembly shares its name;
    // here it comes first, as it may in a real table.
    const std::vector<FakeFunction> functions = {
        {"runtime.write", 0x100, 21},
        {"runtime.write", 0x200, 0},
        {"runtime.write1", 0x300, 0},
    };
    const Bytes bytes = MakeTable(magic, 0x401000, functions, 0x400);
    std::string error;
    const std::optional<GoPclntab> table = GoPclntab::Parse(bytes, true, 0, &error);
    ASSERT_TRUE(table) << error;
    EXPECT_EQ(table->function_count(), 3u);
    ASSERT_TRUE(table->Find("runtime.write"));
    EXPECT_EQ(table->Find("runtime.write")->address, 0x401200u);
    EXPECT_EQ(table->Find("runtime.write")->func_id, 0);
    EXPECT_EQ(table->FunctionAt(0, &error)->func_id, 21);
  }
}

TEST(GoPclntab, UsesTheTextSectionWhenTextStartIsLeftForTheLoader) {
  const Bytes bytes = MakeTable(0xfffffff0, 0, kFunctions, 0x800);
  std::string error;
  const std::optional<GoPclntab> table = GoPclntab::Parse(bytes, true, 0x1000, &error);
  ASSERT_TRUE(table) << error;
  EXPECT_EQ(table->Find("main.main")->address, 0x17a0u);
}

TEST(GoPclntab, SaysOlderGoTablesAreNotSupported) {
  for (const uint32_t magic : {0xfffffffau, 0xfffffffbu}) {
    const Bytes bytes = MakeTable(magic, 0x401000, kFunctions, 0x800);
    std::string error;
    EXPECT_FALSE(GoPclntab::Parse(bytes, true, 0, &error));
    EXPECT_NE(error.find("older than 1.18"), std::string::npos) << error;
  }
}

TEST(GoPclntab, RejectsAnUnknownMagic) {
  const Bytes bytes = MakeTable(0x12345678, 0x401000, kFunctions, 0x800);
  std::string error;
  EXPECT_FALSE(GoPclntab::Parse(bytes, true, 0, &error));
  EXPECT_NE(error.find("unknown format"), std::string::npos) << error;
}

TEST(GoPclntab, RejectsTruncatedTables) {
  const Bytes whole = MakeTable(0xfffffff0, 0x401000, kFunctions, 0x800);
  std::string whole_error;
  const std::optional<GoPclntab> whole_table = GoPclntab::Parse(whole, true, 0, &whole_error);
  ASSERT_TRUE(whole_table && whole_table->AllFunctions(&whole_error)) << whole_error;
  // The last _func record (44 bytes) is read up to its funcID byte.
  const size_t needed = whole.size() - (44 - 37);
  // Every cut must give an error, from Parse or when the records are read,
  // never a read past the end (ASan would tell).
  for (size_t size = 0; size < needed; ++size) {
    const Bytes cut(whole.begin(), whole.begin() + static_cast<long>(size));
    std::string error;
    const std::optional<GoPclntab> table = GoPclntab::Parse(cut, true, 0, &error);
    EXPECT_FALSE(table && table->AllFunctions(&error)) << "cut at " << size;
    EXPECT_FALSE(error.empty());
    if (table) {
      EXPECT_FALSE(table->Find("main.main"));  // the last record is cut
    }
  }
}

TEST(GoPclntab, RejectsARecordPointingOutside) {
  Bytes bytes = MakeTable(0xfffffff0, 0x401000, kFunctions, 0x800);
  const size_t pairs_offset = bytes[64] | (bytes[65] << 8);
  PutWord(&bytes, pairs_offset + 8 + 4, 0x7fffffff, 4);  // second function's funcoff
  std::string error;
  const std::optional<GoPclntab> table = GoPclntab::Parse(bytes, true, 0, &error);
  ASSERT_TRUE(table) << error;
  EXPECT_FALSE(table->AllFunctions(&error));
  EXPECT_NE(error.find("out of bounds"), std::string::npos) << error;
  EXPECT_FALSE(table->FunctionAt(1, &error));
  // The others are still found.
  EXPECT_TRUE(table->Find("main.main"));
  EXPECT_FALSE(table->Find("crypto/tls.(*Conn).Write"));
}

}  // namespace
}  // namespace zerotrace::probes::go
