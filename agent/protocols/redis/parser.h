// Incremental RESP2/RESP3 framing over captured syscall chunks, one parser
// per direction: commands on the request side, replies on the response side.
//
// Each chunk is a prefix of what one syscall moved (`captured` <= `total_size`).
// Bulk strings and aggregates carry their lengths, so a value running past the
// capture (`SET k <5000-byte value>`) is skipped by count and framing goes on.
// Framing that falls into unseen bytes (a type byte, a length line, a simple
// string) is lost: the message in progress is dropped, the sink hears
// OnFramingLost, and parsing resumes at the next chunk whose first bytes start
// a message (a command: `*N\r\n$M\r\n<letter>`; a reply: a RESP type byte and
// a well-formed first line). Bytes that are not RESP (inline commands typed in
// telnet, binary) lose framing the same way and are counted as garbage.
//
// Memory is bounded and no length is trusted with memory: lengths are counted
// down, never allocated; a length line is read digit by digit (no buffer, at
// most kMaxLengthDigits digits); nesting deeper than kMaxDepth loses framing.
//
// Why not hiredis' reader: it needs every byte and buffers whole replies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "agent/connection/protocol_session.h"
#include "agent/protocols/redis/types.h"

namespace zerotrace::redis {

// Where framed messages go. Both are valid only during the call; the sink
// may modify (or move from) them.
class MessageSink {
 public:
  virtual void OnCommand(Command& command) = 0;
  virtual void OnReply(Reply& reply) = 0;
  // Messages of `side` may have gone by unseen since the last one reported
  // (framing lost, or a chunk skipped while it is).
  virtual void OnFramingLost(StreamSide side) = 0;

 protected:
  ~MessageSink() = default;
};

class Parser {
 public:
  // Counts messages, garbage_chunks and resyncs into `stats`.
  Parser(StreamSide side, MessageSink& sink, ProtocolStats& stats);

  void Feed(std::span<const uint8_t> captured, uint64_t total_size, const ChunkTiming& timing);
  // `bytes` went by unseen (lost events). A bulk value absorbs them by count;
  // otherwise framing is lost.
  void Gap(uint64_t bytes);
  // The connection closed: the message in progress will never end.
  void Reset();

  bool in_sync() const { return phase_ != Phase::kLost; }

  // Redis' own limits: proto-max-bulk-len's default, and the largest
  // multibulk count it accepts. Longer is treated as not RESP.
  static constexpr uint64_t kMaxBulkLength = uint64_t{512} << 20;
  static constexpr uint64_t kMaxCount = 0x7fffffff;
  static constexpr int kMaxLengthDigits = 10;
  static constexpr size_t kMaxDepth = 32;
  // Non-string lines (integers, doubles, big numbers) longer than this are
  // not RESP.
  static constexpr uint32_t kMaxNumberLineBytes = 1024;

 private:
  enum class Phase : uint8_t {
    kValueStart,  // a type byte comes next
    kLength,      // digits of a length or count line ($ ! = * % ~ | >)
    kLengthLf,    // the LF ending it
    kLine,        // bytes of a line value (+ - : _ # , () up to its CR
    kLineLf,
    kBulk,        // `remaining_` bytes of a bulk value
    kBulkCr,
    kBulkLf,
    kLost,        // framing lost: waiting for a chunk that starts a message
  };
  // Which recorded field a bulk or line value's bytes go to.
  enum class Target : uint8_t { kNone, kName, kFirstArg, kReplyHead };

  size_t Step(std::string_view data, size_t pos, const ChunkTiming& timing);
  size_t StartValue(char type, size_t pos, const ChunkTiming& timing);
  size_t ConsumeLine(std::string_view data, size_t pos);
  bool CheckLineByte(char c);
  bool LineComplete() const;
  void EndLengthLine(const ChunkTiming& timing);
  void OpenAggregate(uint64_t count, bool attribute, const ChunkTiming& timing);
  void CompleteValue(const ChunkTiming& timing, bool unseen);
  void EndMessage(const ChunkTiming& timing, bool unseen);
  void Record(std::string_view bytes);
  void MarkTargetCut();
  void SkipUnseen(uint64_t bytes, const ChunkTiming* timing);
  bool LooksLikeMessageStart(std::string_view data) const;
  void Fail();
  void LoseFraming();

  StreamSide side_;
  MessageSink& sink_;
  ProtocolStats& stats_;

  Phase phase_ = Phase::kValueStart;
  bool in_message_ = false;
  char type_ = 0;              // type byte of the value being read
  Target target_ = Target::kNone;
  bool negative_ = false;      // length line: "-1"
  int digits_ = 0;             // length line digits, or digits in a number line
  uint64_t length_ = 0;        // length line value
  uint64_t remaining_ = 0;     // bulk bytes to go
  uint32_t line_bytes_ = 0;    // bytes of the current line value
  uint32_t messages_begun_in_chunk_ = 0;
  ChunkTiming last_seen_;

  // Open aggregates, innermost last: elements each still expects (maps and
  // attributes count keys and values), and which are attributes (RESP3 `|`:
  // metadata before a value, not a value of their parent).
  std::array<uint32_t, kMaxDepth> remaining_elements_{};
  uint32_t attribute_mask_ = 0;
  size_t depth_ = 0;
  uint32_t top_count_ = 0;     // elements of a command's array

  Command command_;
  Reply reply_;
};

}  // namespace zerotrace::redis
