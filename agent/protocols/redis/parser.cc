#include "agent/protocols/redis/parser.h"

#include <algorithm>
#include <limits>

namespace zerotrace::redis {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsLetter(c); }

// Every RESP2 and RESP3 type byte but the streamed ones (`?` lengths, `;`
// and `.`), which Redis never sends.
bool IsReplyType(char c) {
  switch (c) {
    case '+': case '-': case ':': case '$': case '*': case '_': case '#': case ',': case '(':
    case '!': case '=': case '%': case '~': case '|': case '>':
      return true;
    default:
      return false;
  }
}

bool HasLengthLine(char type) {
  switch (type) {
    case '$': case '!': case '=': case '*': case '%': case '~': case '|': case '>':
      return true;
    default:
      return false;
  }
}

ReplyKind KindOf(char type) {
  switch (type) {
    case '+': return ReplyKind::kSimpleString;
    case '-': return ReplyKind::kError;
    case ':': return ReplyKind::kInteger;
    case '$': return ReplyKind::kBulkString;
    case '*': return ReplyKind::kArray;
    case '#': return ReplyKind::kBoolean;
    case ',': return ReplyKind::kDouble;
    case '(': return ReplyKind::kBigNumber;
    case '!': return ReplyKind::kBlobError;
    case '=': return ReplyKind::kVerbatim;
    case '%': return ReplyKind::kMap;
    case '~': return ReplyKind::kSet;
    case '>': return ReplyKind::kPush;
    default: return ReplyKind::kNull;  // '_'
  }
}

// A length line's value ("-1" allowed where RESP2 has nulls), whole.
bool IsLengthText(char type, std::string_view text) {
  if (text == "-1") return type == '$' || type == '*';
  if (text.empty() || text.size() > static_cast<size_t>(Parser::kMaxLengthDigits)) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  const bool bulk = type == '$' || type == '!' || type == '=';
  return value <= (bulk ? Parser::kMaxBulkLength : Parser::kMaxCount);
}

// A whole first line of a reply, without its type byte and CRLF.
bool IsReplyFirstLine(char type, std::string_view line) {
  if (HasLengthLine(type)) return IsLengthText(type, line);
  switch (type) {
    case '+':
    case '-':
      return line.find('\n') == std::string_view::npos;
    case ':':
    case '(': {
      if (!line.empty() && (line[0] == '-' || line[0] == '+')) line.remove_prefix(1);
      return !line.empty() && line.size() <= Parser::kMaxNumberLineBytes &&
             std::all_of(line.begin(), line.end(), IsDigit);
    }
    case ',':
      return !line.empty() && line.size() <= Parser::kMaxNumberLineBytes &&
             std::all_of(line.begin(), line.end(),
                         [](char c) { return IsAlnum(c) || c == '.' || c == '+' || c == '-'; });
    case '#':
      return line == "t" || line == "f";
    case '_':
      return line.empty();
    default:
      return false;
  }
}

// Reads "<digits>\r\n" at `*pos`; false if the bytes say otherwise or end.
bool ReadLengthLine(std::string_view data, size_t* pos) {
  size_t p = *pos;
  const size_t start = p;
  while (p < data.size() && IsDigit(data[p]) && p - start < static_cast<size_t>(Parser::kMaxLengthDigits)) ++p;
  if (p == start || p + 1 >= data.size() || data[p] != '\r' || data[p + 1] != '\n') return false;
  *pos = p + 2;
  return true;
}

void UpperCase(InlineText<kMaxNameBytes>& text) {
  for (size_t i = 0; i < text.size; ++i) {
    char& c = text.bytes[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
}

}  // namespace

Parser::Parser(StreamSide side, MessageSink& sink, ProtocolStats& stats)
    : side_(side), sink_(sink), stats_(stats) {}

void Parser::Feed(std::span<const uint8_t> captured, uint64_t total_size, const ChunkTiming& timing) {
  const std::string_view data(reinterpret_cast<const char*>(captured.data()), captured.size());
  const uint64_t unseen = total_size > data.size() ? total_size - data.size() : 0;
  if (data.empty() && unseen == 0) return;
  last_seen_ = timing;
  messages_begun_in_chunk_ = 0;

  if (phase_ == Phase::kLost) {
    if (!LooksLikeMessageStart(data)) {
      if (!data.empty()) ++stats_.garbage_chunks;
      sink_.OnFramingLost(side_);  // the chunk may hold messages we cannot frame
      return;
    }
    ++stats_.resyncs;
    phase_ = Phase::kValueStart;
  }
  size_t pos = 0;
  while (pos < data.size()) {
    pos = Step(data, pos, timing);
    if (phase_ == Phase::kLost) return;  // the rest of the chunk is skipped, unseen bytes too
  }
  if (unseen > 0) SkipUnseen(unseen, &timing);
}

void Parser::Gap(uint64_t bytes) {
  if (bytes == 0) return;
  if (phase_ == Phase::kLost) {
    sink_.OnFramingLost(side_);
    return;
  }
  SkipUnseen(bytes, nullptr);
}

void Parser::Reset() {
  phase_ = Phase::kValueStart;
  in_message_ = false;
  depth_ = 0;
}

size_t Parser::Step(std::string_view data, size_t pos, const ChunkTiming& timing) {
  const char c = data[pos];
  switch (phase_) {
    case Phase::kValueStart:
      return StartValue(c, pos, timing);
    case Phase::kLength:
      if (IsDigit(c)) {
        if (digits_ == kMaxLengthDigits) break;
        length_ = length_ * 10 + static_cast<uint64_t>(c - '0');
        ++digits_;
        return pos + 1;
      }
      if (c == '-' && digits_ == 0 && !negative_) {
        negative_ = true;
        return pos + 1;
      }
      if (c == '\r' && digits_ > 0) {
        phase_ = Phase::kLengthLf;
        return pos + 1;
      }
      break;
    case Phase::kLengthLf:
      if (c != '\n') break;
      EndLengthLine(timing);  // on a length that is not RESP, framing is lost
      return pos + 1;
    case Phase::kLine:
      return ConsumeLine(data, pos);
    case Phase::kLineLf:
      if (c != '\n' || !LineComplete()) break;
      CompleteValue(timing, /*unseen=*/false);
      return pos + 1;
    case Phase::kBulk: {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - pos));
      Record(data.substr(pos, n));
      remaining_ -= n;
      if (remaining_ == 0) phase_ = Phase::kBulkCr;
      return pos + n;
    }
    case Phase::kBulkCr:
      if (c != '\r') break;
      phase_ = Phase::kBulkLf;
      return pos + 1;
    case Phase::kBulkLf:
      if (c != '\n') break;
      CompleteValue(timing, /*unseen=*/false);
      return pos + 1;
    case Phase::kLost:
      return data.size();
  }
  Fail();
  return pos;
}

size_t Parser::StartValue(char type, size_t pos, const ChunkTiming& timing) {
  const bool top = depth_ == 0;
  // A command is an array of bulk strings; anything else on the request side
  // (inline commands, binary) is not something we frame.
  const bool allowed = side_ == StreamSide::kRequests ? type == (top ? '*' : '$') : IsReplyType(type);
  if (!allowed) {
    Fail();
    return pos;
  }
  if (!in_message_) {
    in_message_ = true;
    if (side_ == StreamSide::kRequests) {
      command_ = Command{};
      command_.first_chunk = timing;
      command_.first_in_chunk = messages_begun_in_chunk_ == 0;
    } else {
      reply_ = Reply{};
      reply_.first_chunk = timing;
    }
    ++messages_begun_in_chunk_;
  }
  type_ = type;
  target_ = Target::kNone;
  if (side_ == StreamSide::kRequests) {
    if (!top) {
      const uint32_t index = top_count_ - remaining_elements_[0];
      if (index == 0) target_ = Target::kName;
      if (index == 1) target_ = Target::kFirstArg;
    }
  } else if (top && type != '|') {
    reply_.kind = KindOf(type);
    if (type == '+' || type == '-' || type == '!') target_ = Target::kReplyHead;
  }
  negative_ = false;
  digits_ = 0;
  length_ = 0;
  line_bytes_ = 0;
  phase_ = HasLengthLine(type) ? Phase::kLength : Phase::kLine;
  return pos + 1;
}

size_t Parser::ConsumeLine(std::string_view data, size_t pos) {
  const size_t start = pos;
  while (pos < data.size() && data[pos] != '\r') {
    if (!CheckLineByte(data[pos])) {
      Fail();
      return pos;
    }
    ++pos;
  }
  Record(data.substr(start, pos - start));
  if (pos < data.size()) {
    phase_ = Phase::kLineLf;
    ++pos;
  }
  return pos;
}

// Line values other than strings have a grammar; checking it is what tells
// RESP from text that happens to begin with a type byte.
bool Parser::CheckLineByte(char c) {
  const uint32_t at = line_bytes_;
  if (line_bytes_ < std::numeric_limits<uint32_t>::max()) ++line_bytes_;
  switch (type_) {
    case '+':
    case '-':
      return c != '\n';
    case ':':
    case '(':
      if (at >= kMaxNumberLineBytes) return false;
      if (at == 0 && (c == '-' || c == '+')) return true;
      if (!IsDigit(c)) return false;
      ++digits_;
      return true;
    case ',':
      return at < kMaxNumberLineBytes && (IsAlnum(c) || c == '.' || c == '+' || c == '-');
    case '#':
      return at == 0 && (c == 't' || c == 'f');
    default:  // '_' has no content
      return false;
  }
}

bool Parser::LineComplete() const {
  switch (type_) {
    case ':':
    case '(':
      return digits_ > 0;
    case ',':
    case '#':
      return line_bytes_ > 0;
    default:
      return true;
  }
}

// The CRLF of a length line was read. A length that is not RESP loses
// framing.
void Parser::EndLengthLine(const ChunkTiming& timing) {
  if (negative_) {
    // Only "-1", RESP2's null bulk string and null array; a command never
    // carries one.
    if (length_ != 1 || (type_ != '$' && type_ != '*') || side_ == StreamSide::kRequests) {
      Fail();
      return;
    }
    if (depth_ == 0) reply_.kind = ReplyKind::kNull;
    CompleteValue(timing, /*unseen=*/false);
    return;
  }
  if (type_ == '$' || type_ == '!' || type_ == '=') {
    if (length_ > kMaxBulkLength) {
      Fail();
      return;
    }
    remaining_ = length_;
    phase_ = remaining_ > 0 ? Phase::kBulk : Phase::kBulkCr;
    return;
  }
  if (length_ > kMaxCount) {
    Fail();
    return;
  }
  const bool pairs = type_ == '%' || type_ == '|';
  const uint64_t count = pairs ? 2 * length_ : length_;
  if (side_ == StreamSide::kRequests) {
    if (count == 0) {
      // Redis skips an empty multibulk: no command.
      in_message_ = false;
      phase_ = Phase::kValueStart;
      return;
    }
    top_count_ = static_cast<uint32_t>(count);
  }
  if (count == 0) {
    phase_ = Phase::kValueStart;
    if (type_ != '|') CompleteValue(timing, /*unseen=*/false);  // an empty attribute is no value
    return;
  }
  if (depth_ == kMaxDepth) {
    Fail();
    return;
  }
  remaining_elements_[depth_] = static_cast<uint32_t>(count);
  const uint32_t bit = uint32_t{1} << depth_;
  attribute_mask_ = type_ == '|' ? (attribute_mask_ | bit) : (attribute_mask_ & ~bit);
  ++depth_;
  phase_ = Phase::kValueStart;
  return;
}

// A value ended: it counts toward its enclosing aggregate, which may end in
// turn; the top-level value ends the message.
void Parser::CompleteValue(const ChunkTiming& timing, bool unseen) {
  phase_ = Phase::kValueStart;
  target_ = Target::kNone;
  while (depth_ > 0) {
    if (--remaining_elements_[depth_ - 1] > 0) return;
    --depth_;
    // An attribute annotates the value after it: not itself a value.
    if ((attribute_mask_ >> depth_) & 1) return;
  }
  EndMessage(timing, unseen);
}

void Parser::EndMessage(const ChunkTiming& timing, bool unseen) {
  in_message_ = false;
  ++stats_.messages;
  if (side_ == StreamSide::kRequests) {
    command_.arg_count = top_count_ - 1;
    command_.last_chunk = timing;
    command_.end_unseen = unseen;
    UpperCase(command_.name);
    sink_.OnCommand(command_);
  } else {
    reply_.last_chunk = timing;
    reply_.end_unseen = unseen;
    sink_.OnReply(reply_);
  }
}

void Parser::Record(std::string_view bytes) {
  switch (target_) {
    case Target::kName: command_.name.Append(bytes); break;
    case Target::kFirstArg: command_.first_arg.Append(bytes); break;
    case Target::kReplyHead: reply_.head.Append(bytes); break;
    case Target::kNone: break;
  }
}

void Parser::MarkTargetCut() {
  switch (target_) {
    case Target::kName: command_.name.cut = true; break;
    case Target::kFirstArg: command_.first_arg.cut = true; break;
    case Target::kReplyHead: reply_.head.cut = true; break;
    case Target::kNone: break;
  }
}

// `bytes` of the stream went by unseen: the uncaptured tail of a chunk
// (`timing` is that chunk) or lost events (`timing` is null). Only a bulk
// value (and the CRLF after it, assumed, as every sender writes it) can be
// skipped by count; anything else was framing we did not see.
void Parser::SkipUnseen(uint64_t bytes, const ChunkTiming* timing) {
  const ChunkTiming& at = timing != nullptr ? *timing : last_seen_;
  while (bytes > 0) {
    switch (phase_) {
      case Phase::kBulk: {
        const uint64_t n = std::min(bytes, remaining_);
        remaining_ -= n;
        bytes -= n;
        MarkTargetCut();
        if (remaining_ == 0) phase_ = Phase::kBulkCr;
        break;
      }
      case Phase::kBulkCr:
        phase_ = Phase::kBulkLf;
        --bytes;
        break;
      case Phase::kBulkLf:
        --bytes;
        CompleteValue(at, /*unseen=*/timing == nullptr);
        break;
      case Phase::kLost:
        return;
      default:
        LoseFraming();
        return;
    }
  }
}

// After framing was lost, a chunk may restart it only if its first bytes
// are unmistakably a message start.
bool Parser::LooksLikeMessageStart(std::string_view data) const {
  if (data.empty()) return false;
  if (side_ == StreamSide::kRequests) {
    // *N\r\n$M\r\n<letter>: an array of bulk strings whose first is a name.
    size_t p = 1;
    if (data[0] != '*' || !ReadLengthLine(data, &p)) return false;
    if (p >= data.size() || data[p] != '$') return false;
    ++p;
    return ReadLengthLine(data, &p) && p < data.size() && IsLetter(data[p]);
  }
  if (!IsReplyType(data[0])) return false;
  const size_t cr = data.find('\r', 1);
  if (cr == std::string_view::npos || cr + 1 >= data.size() || data[cr + 1] != '\n') return false;
  return IsReplyFirstLine(data[0], data.substr(1, cr - 1));
}

// Bytes that cannot be RESP: the chunk's remainder is skipped.
void Parser::Fail() {
  ++stats_.garbage_chunks;
  LoseFraming();
}

void Parser::LoseFraming() {
  phase_ = Phase::kLost;
  in_message_ = false;
  depth_ = 0;
  sink_.OnFramingLost(side_);
}

}  // namespace zerotrace::redis
