// Redis messages as the parser hands them to the session: a command (what a
// client wrote) and a reply (what the server answered). They keep only what a
// span needs, inline: a command waits in the matcher for its reply, long
// after the captured bytes it came from are gone, and values must never be
// kept at all (they are not span material, and may be secrets).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/connection/chunk_timing.h"

namespace zerotrace::redis {

// The first bytes of a bulk string or line, copied as they stream by (even
// across chunks), with no heap.
template <size_t N>
struct InlineText {
  std::array<char, N> bytes{};
  uint16_t size = 0;
  // The text was longer than N, or some of its bytes were not captured: what
  // is kept is a prefix.
  bool cut = false;

  std::string_view view() const { return {bytes.data(), size}; }
  void Append(std::string_view in) {
    const size_t take = std::min(in.size(), N - size);
    std::copy_n(in.data(), take, bytes.data() + size);
    size = static_cast<uint16_t>(size + take);
    if (take < in.size()) cut = true;
  }
};

// Longer command names exist only in modules; they are reported cut.
inline constexpr size_t kMaxNameBytes = 32;
// The first argument: a key, a subcommand, SELECT's index, HELLO's version.
inline constexpr size_t kMaxFirstArgBytes = 128;
// Enough of a simple string or error to tell OK/QUEUED and an error's code.
inline constexpr size_t kMaxReplyHeadBytes = 32;

struct Command {
  InlineText<kMaxNameBytes> name;  // upper-cased (ASCII) once the command is framed
  InlineText<kMaxFirstArgBytes> first_arg;
  uint32_t arg_count = 0;  // arguments after the name
  // The first command to begin in its first chunk: the one the kernel's
  // trace context in that chunk was made for. Pipelined commands behind it
  // share the context with span ids of their own.
  bool first_in_chunk = true;
  ChunkTiming first_chunk;  // the syscall that carried the first byte
  ChunkTiming last_chunk;   // the syscall that carried the last byte
  // The last byte fell in lost events (a gap), not in a chunk: last_chunk is
  // the last chunk seen, an early bound.
  bool end_unseen = false;

  // A name can be matched against the command table only if all of it was seen.
  bool name_known() const { return name.size > 0 && !name.cut; }
};

enum class ReplyKind : uint8_t {
  kSimpleString,  // +
  kError,         // -
  kInteger,       // :
  kBulkString,    // $
  kArray,         // *
  kNull,          // _ (RESP3), $-1 and *-1 (RESP2)
  kBoolean,       // #
  kDouble,        // ,
  kBigNumber,     // (
  kBlobError,     // !
  kVerbatim,      // =
  kMap,           // %
  kSet,           // ~
  kPush,          // > out-of-band (pub/sub, invalidation): answers no command
};

struct Reply {
  ReplyKind kind = ReplyKind::kNull;
  // First bytes of a top-level simple string, error or blob error; empty
  // for other kinds.
  InlineText<kMaxReplyHeadBytes> head;
  ChunkTiming first_chunk;
  ChunkTiming last_chunk;
  bool end_unseen = false;  // as in Command

  bool is_error() const { return kind == ReplyKind::kError || kind == ReplyKind::kBlobError; }
};

}  // namespace zerotrace::redis
