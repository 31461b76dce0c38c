// RET search on hand-assembled x86-64: it must find real RETs by decoding,
// not by looking for 0xC3 bytes, which also occur inside other instructions.
#include "probes/go/return_instructions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace zerotrace::probes::go {
namespace {

using ::testing::ElementsAre;

TEST(FindReturnInstructions, FindsEveryRetByAddress) {
  const std::vector<uint8_t> code = {
      0x48, 0x83, 0xec, 0x18,  // 0x1000 sub rsp, 0x18
      0x74, 0x05,              // 0x1004 je +5
      0x48, 0x83, 0xc4, 0x18,  // 0x1006 add rsp, 0x18
      0xc3,                    // 0x100a ret
      0x31, 0xc0,              // 0x100b xor eax, eax
      0xc3,                    // 0x100d ret
      0xcc, 0xcc,              // 0x100e int3 padding
  };
  std::string error;
  const std::optional<std::vector<uint64_t>> returns = FindReturnInstructions(code, 0x1000, &error);
  ASSERT_TRUE(returns) << error;
  EXPECT_EQ(*returns, (std::vector<uint64_t>{0x100a, 0x100d}));
}

TEST(FindReturnInstructions, IgnoresC3BytesInsideOtherInstructions) {
  const std::vector<uint8_t> code = {
      0xb8, 0xc3, 0xc3, 0xc3, 0xc3,           // mov eax, 0xc3c3c3c3
      0x48, 0x8d, 0x84, 0x24, 0xc3, 0, 0, 0,  // lea rax, [rsp + 0xc3]
      0x48, 0x89, 0xc3,                       // mov rbx, rax (ModRM byte 0xc3)
      0xc3,                                   // ret
  };
  std::string error;
  const std::optional<std::vector<uint64_t>> returns = FindReturnInstructions(code, 0x2000, &error);
  ASSERT_TRUE(returns) << error;
  EXPECT_THAT(*returns, ElementsAre(0x2010u));
}

TEST(FindReturnInstructions, FindsNoneInAFunctionThatNeverReturns) {
  const std::vector<uint8_t> code = {0xe8, 0, 0, 0, 0, 0x0f, 0x0b};  // call; ud2
  std::string error;
  const std::optional<std::vector<uint64_t>> returns = FindReturnInstructions(code, 0, &error);
  ASSERT_TRUE(returns) << error;
  EXPECT_TRUE(returns->empty());
}

TEST(FindReturnInstructions, FailsOnBytesThatDoNotDecode) {
  // 0x06 (push es) does not exist in 64-bit mode; a cut instruction neither.
  for (const std::vector<uint8_t>& code :
       {std::vector<uint8_t>{0xc3, 0x06, 0xc3}, std::vector<uint8_t>{0xc3, 0x48, 0x8b}}) {
    std::string error;
    EXPECT_FALSE(FindReturnInstructions(code, 0x3000, &error));
    EXPECT_NE(error.find("0x3001"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace zerotrace::probes::go
