// Where a function returns. Go's goroutine stacks move (they are copied when
// they grow), and a uretprobe rewrites the return address on the stack, which
// the Go runtime then finds wrong and crashes on; so a Go function's return is
// probed with an ordinary uprobe on each of its RET instructions instead.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace zerotrace::probes::go {

// Decodes the x86-64 machine code `code`, whose first byte is at virtual
// address `address`, with capstone, and returns the address of every RET.
// Decoding is linear from the first byte, which is sound for code made by Go's
// compiler (no data in text on amd64). Nothing and one line in `error` if a
// byte sequence does not decode: guessing past it could miss a RET, and a
// missed return probe would leave the entry probe's state behind for ever.
// Trailing INT3 (0xCC) padding between functions decodes and is harmless.
std::optional<std::vector<uint64_t>> FindReturnInstructions(std::span<const uint8_t> code,
                                                            uint64_t address, std::string* error);

}  // namespace zerotrace::probes::go
