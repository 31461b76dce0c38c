#include "agent/protocols/http1/parser.h"

#include <algorithm>
#include <cstring>

#include "agent/protocols/http1/header_block.h"

namespace zerotrace::http1 {
namespace {

// More queued request methods than this means the response side is not being
// fed; drop the oldest rather than grow without bound.
constexpr size_t kMaxExpectedMethods = 1024;

}  // namespace

Parser::Parser(MessageKind kind) : kind_(kind) {}

MessageCommon& Parser::Current() {
  if (kind_ == MessageKind::kRequest) return request_;
  return response_;
}

void Parser::Feed(std::span<const uint8_t> captured, uint64_t total_size, const ChunkTiming& timing) {
  if (phase_ == Phase::kOpaque) return;
  const std::string_view data(reinterpret_cast<const char*>(captured.data()), captured.size());
  uint64_t unseen = total_size > data.size() ? total_size - data.size() : 0;
  if (data.empty() && unseen == 0) return;
  last_seen_ = timing;

  size_t pos = 0;
  while (pos < data.size()) {
    switch (phase_) {
      case Phase::kSeek:
        pos = SeekStart(data, pos, &unseen, timing);
        break;
      case Phase::kHeaders:
        pos = ContinueHeaders(data, &unseen, timing);
        break;
      case Phase::kBodyLength:
        pos = ConsumeLengthBody(data, pos, timing);
        break;
      case Phase::kBodyUntilClose:
        Current().body_size += data.size() - pos;
        Current().last_chunk = timing;
        pos = data.size();
        break;
      case Phase::kBodyLost:
        if (pos == 0) {
          // A chunk start: it may open the next message, which ends this one.
          lost_pending_ = true;
          phase_ = Phase::kSeek;
          pos = SeekStart(data, pos, &unseen, timing);
        } else {
          Current().body_size += data.size() - pos;
          Current().last_chunk = timing;
          pos = data.size();
        }
        break;
      case Phase::kChunkedBody:
        pos = ConsumeChunked(data, pos, timing);
        break;
      case Phase::kOpaque:
        return;
    }
  }
  if (unseen > 0) SkipUnseen(unseen, &timing);
}

void Parser::Gap(uint64_t bytes) {
  if (bytes > 0) SkipUnseen(bytes, nullptr);
}

void Parser::Close(const ChunkTiming& /*timing*/) {
  // last_chunk stays the chunk that carried the last byte; the close itself
  // carries none.
  if (phase_ == Phase::kHeaders) TruncateBufferedHeaders(last_seen_);
  switch (phase_) {
    case Phase::kSeek:
    case Phase::kHeaders:
    case Phase::kOpaque:
      break;
    case Phase::kBodyUntilClose:
      Finish();
      break;
    default:  // a framed body cut short, or one whose framing was lost
      Current().framing_lost = true;
      Finish();
      break;
  }
  phase_ = Phase::kSeek;
  in_sync_ = true;
  lost_pending_ = false;
  start_valid_ = false;
  ClearHeaderBuffer();
  expected_methods_.clear();
}

void Parser::FinishPending() {
  switch (phase_) {
    case Phase::kBodyLost:
      Finish();
      break;
    case Phase::kBodyUntilClose:
      Current().framing_lost = true;
      Finish();
      break;
    case Phase::kHeaders:
      if (lost_pending_) {
        PushCurrent();
        lost_pending_ = false;
      }
      break;
    default:
      break;
  }
}

void Parser::ExpectResponseTo(std::string_view request_method) {
  if (expected_methods_.size() >= kMaxExpectedMethods) expected_methods_.pop_front();
  expected_methods_.emplace_back(request_method);
}

AnsweredMethod Parser::PopExpectedMethod() {
  if (expected_methods_.empty()) return AnsweredMethod::kOther;
  AnsweredMethod m = AnsweredMethod::kOther;
  if (expected_methods_.front() == "HEAD") m = AnsweredMethod::kHead;
  if (expected_methods_.front() == "CONNECT") m = AnsweredMethod::kConnect;
  expected_methods_.pop_front();
  return m;
}

// At `pos` (a chunk start, or right after a complete message) a message may
// begin. Returns the position after what was consumed.
size_t Parser::SeekStart(std::string_view data, size_t pos, uint64_t* unseen,
                         const ChunkTiming& timing) {
  // Empty lines before a message are tolerated (RFC 9112 2.2).
  size_t p = pos;
  while (p < data.size() && (data[p] == '\r' || data[p] == '\n')) ++p;
  if (p == data.size()) {
    if (lost_pending_) AbandonStart(p - pos, timing);
    return p;
  }

  const std::string_view view = data.substr(p);
  StartLine line;
  const StartLineCheck check = ParseStartLine(kind_, view, &line);
  if (check == StartLineCheck::kInvalid) {
    AbandonStart(data.size() - pos, timing);
    return data.size();
  }
  start_timing_ = timing;
  // The kernel's context belongs to a request that begins at the chunk's
  // first byte; one found further in (pipelining) has none.
  if (p != 0) start_timing_.trace = {};
  if (check == StartLineCheck::kNeedMore) {
    if (*unseen == 0 && view.size() < kMaxHeaderBytes) {
      header_buf_.assign(view);  // the start line continues in the next chunk
      start_valid_ = false;
      phase_ = Phase::kHeaders;
      return data.size();
    }
    // The start line runs past what was captured.
    if (!line.usable) {
      AbandonStart(data.size() - pos, timing);
      return data.size();
    }
    *unseen = 0;
    BeginMessage(line, HeaderFields{}, /*complete=*/false, timing);
    return data.size();
  }

  OnStartFound();
  HeaderFields fields;
  const HeaderScan scan = ParseHeaderLines(view.substr(line.length), &fields);
  if (scan.complete) {
    BeginMessage(line, fields, /*complete=*/true, timing);
    return p + line.length + scan.consumed;
  }
  if (*unseen == 0 && view.size() < kMaxHeaderBytes) {
    header_buf_.assign(view);  // the header block continues in the next chunk
    header_resume_ = line.length + scan.consumed - 1;
    start_valid_ = true;
    phase_ = Phase::kHeaders;
    return data.size();
  }
  *unseen = 0;
  BeginMessage(line, fields, /*complete=*/false, timing);
  return data.size();
}

// A chunk continues a header block collected in header_buf_. Returns how
// much of `data` belonged to it.
size_t Parser::ContinueHeaders(std::string_view data, uint64_t* unseen, const ChunkTiming& timing) {
  const size_t prior = header_buf_.size();
  const size_t take = std::min(data.size(), kMaxHeaderBytes - prior);
  header_buf_.append(data.data(), take);
  const bool cut = *unseen > 0 || take < data.size() || header_buf_.size() >= kMaxHeaderBytes;

  if (!start_valid_) {
    // Re-checking a long partial start line after every tiny chunk would be
    // quadratic; its verdict can only change at a line end, so check when one
    // arrived, when the chunk is large relative to the buffer, or at the cut.
    const bool recheck = cut || take * 16 >= header_buf_.size() ||
                         std::memchr(data.data(), '\n', take) != nullptr;
    if (!recheck) return data.size();
    StartLine line;
    const StartLineCheck check = ParseStartLine(kind_, header_buf_, &line);
    if (check == StartLineCheck::kInvalid) {
      AbandonStart(prior + data.size(), timing);
      return data.size();
    }
    if (check == StartLineCheck::kNeedMore) {
      if (!cut) return data.size();
      *unseen = 0;
      TruncateBufferedHeaders(timing);
      return data.size();
    }
    start_valid_ = true;
    OnStartFound();
    header_resume_ = line.length - 1;
  }

  const size_t end = FindHeaderBlockEnd(header_buf_, &header_resume_);
  if (end != std::string_view::npos) {
    StartLine line;
    ParseStartLine(kind_, header_buf_, &line);
    HeaderFields fields;
    ParseHeaderLines(std::string_view(header_buf_).substr(line.length, end - line.length), &fields);
    BeginMessage(line, fields, /*complete=*/true, timing);
    ClearHeaderBuffer();
    return end - prior;
  }
  if (!cut) return data.size();
  *unseen = 0;
  TruncateBufferedHeaders(timing);
  return data.size();
}

// The buffered header block will not be completed: report what it holds as a
// message with truncated headers whose framing is lost.
void Parser::TruncateBufferedHeaders(const ChunkTiming& timing) {
  StartLine line;
  const StartLineCheck check = ParseStartLine(kind_, header_buf_, &line);
  if (check == StartLineCheck::kInvalid || (check == StartLineCheck::kNeedMore && !line.usable)) {
    AbandonStart(header_buf_.size(), timing);
    return;
  }
  HeaderFields fields;
  if (check == StartLineCheck::kValid) {
    ParseHeaderLines(std::string_view(header_buf_).substr(line.length), &fields);
  }
  BeginMessage(line, fields, /*complete=*/false, timing);
  ClearHeaderBuffer();
}

void Parser::BeginMessage(const StartLine& line, const HeaderFields& fields, bool complete,
                          const ChunkTiming& timing) {
  OnStartFound();
  MessageCommon* m;
  if (kind_ == MessageKind::kRequest) {
    request_ = Request{};
    request_.method = line.method;
    request_.target = line.target;
    request_.host = fields.host;
    request_.user_agent = fields.user_agent;
    request_.traceparent = fields.traceparent;
    for (size_t i = 0; i < fields.tracestate_count; ++i) {
      if (i > 0) request_.tracestate += ',';
      request_.tracestate += fields.tracestate[i];
    }
    m = &request_;
  } else {
    response_ = Response{};
    response_.status_code = line.status_code;
    m = &response_;
  }
  m->version = line.version;
  m->first_chunk = start_timing_;
  m->last_chunk = timing;
  m->headers_truncated = !complete;
  start_valid_ = false;
  phase_ = Phase::kSeek;

  if (kind_ == MessageKind::kRequest) {
    FollowFraming(RequestBodyFraming(fields, complete), fields);
    return;
  }
  if (IsInterimStatus(line.status_code)) {
    // Not reported, and the request still awaits its response.
    if (!complete) in_sync_ = false;
    return;
  }
  const AnsweredMethod method = PopExpectedMethod();
  FollowFraming(ResponseBodyFraming(line.status_code, method, fields, complete), fields);
}

// The message just begun (past its header block) has its body framed so.
void Parser::FollowFraming(BodyFraming framing, const HeaderFields& fields) {
  switch (framing) {
    case BodyFraming::kNone:
      Finish();
      break;
    case BodyFraming::kContentLength:
      remaining_ = fields.content_length;
      phase_ = Phase::kBodyLength;
      break;
    case BodyFraming::kChunked:
      StartChunked();
      break;
    case BodyFraming::kUntilClose:
      phase_ = Phase::kBodyUntilClose;
      break;
    case BodyFraming::kLost:
      LoseFraming();
      break;
    case BodyFraming::kOpaque:
      Finish();
      phase_ = Phase::kOpaque;  // the connection now carries another protocol
      break;
  }
}

size_t Parser::ConsumeLengthBody(std::string_view data, size_t pos, const ChunkTiming& timing) {
  const uint64_t n = std::min<uint64_t>(remaining_, data.size() - pos);
  MessageCommon& m = Current();
  m.body_size += n;
  m.last_chunk = timing;
  remaining_ -= n;
  if (remaining_ == 0) Finish();
  return pos + n;
}

size_t Parser::ConsumeChunked(std::string_view data, size_t pos, const ChunkTiming& timing) {
  MessageCommon& m = Current();
  const ChunkTiming previous = m.last_chunk;
  m.last_chunk = timing;
  const ChunkedBody::Progress progress = chunked_.Read(data, pos);
  m.body_size += progress.data_bytes;
  switch (progress.status) {
    case ChunkedBody::Status::kInBody:
      break;
    case ChunkedBody::Status::kEnded:
      Finish();
      break;
    case ChunkedBody::Status::kFramingLost:
      // The chunk carried none of this message's bytes if framing broke on
      // its first byte (which may then start the next message).
      if (progress.end == pos) m.last_chunk = previous;
      LoseFraming();
      break;
  }
  return progress.end;
}

// `bytes` of the stream went by unseen: the uncaptured tail of a chunk
// (`timing` is that chunk) or lost events (`timing` is null). Counted bodies
// advance by count; anything else loses framing.
void Parser::SkipUnseen(uint64_t bytes, const ChunkTiming* timing) {
  MessageCommon& m = Current();
  auto touch = [&] {
    if (timing != nullptr) m.last_chunk = *timing;
  };
  switch (phase_) {
    case Phase::kSeek:
      in_sync_ = false;  // a message may have started in the unseen bytes
      return;
    case Phase::kOpaque:
      return;
    case Phase::kHeaders:
      TruncateBufferedHeaders(last_seen_);
      return;
    case Phase::kBodyUntilClose:
    case Phase::kBodyLost:
      m.body_size += bytes;
      touch();
      return;
    case Phase::kBodyLength: {
      const uint64_t n = std::min(bytes, remaining_);
      m.body_size += n;
      remaining_ -= n;
      touch();
      if (remaining_ > 0) return;
      // The message ended in the unseen bytes. Without a chunk we never saw
      // its last byte, so its end time is a guess.
      if (timing == nullptr) m.framing_lost = true;
      Finish();
      if (bytes > n) in_sync_ = false;
      return;
    }
    case Phase::kChunkedBody: {
      touch();
      const ChunkedBody::Skipped skipped = chunked_.Skip(bytes);
      m.body_size += skipped.body_bytes;
      if (skipped.framing_lost) LoseFraming();
      return;
    }
  }
}

void Parser::OnStartFound() {
  if (lost_pending_) {
    PushCurrent();  // the framing-lost message ends where this one begins
    lost_pending_ = false;
  }
  if (!in_sync_) {
    ++stats_.resyncs;
    in_sync_ = true;
  }
}

// What looked like it might be a message start is not one.
void Parser::AbandonStart(uint64_t bytes, const ChunkTiming& timing) {
  ClearHeaderBuffer();
  start_valid_ = false;
  if (lost_pending_) {
    lost_pending_ = false;
    phase_ = Phase::kBodyLost;
    Current().body_size += bytes;
    Current().last_chunk = timing;
    return;
  }
  ++stats_.garbage_chunks;
  in_sync_ = false;
  phase_ = Phase::kSeek;
}

// Keeps a small buffer for the common short split; gives back a large one so
// that idle connections do not each hold up to kMaxHeaderBytes.
void Parser::ClearHeaderBuffer() {
  if (header_buf_.capacity() > 4096) {
    std::string().swap(header_buf_);
  } else {
    header_buf_.clear();
  }
}

void Parser::LoseFraming() {
  phase_ = Phase::kBodyLost;
  Current().framing_lost = true;
  in_sync_ = false;
}

void Parser::StartChunked() {
  phase_ = Phase::kChunkedBody;
  chunked_.Start();
}

void Parser::PushCurrent() {
  ++stats_.messages;
  if (kind_ == MessageKind::kRequest) {
    requests_.push_back(std::move(request_));
  } else {
    responses_.push_back(std::move(response_));
  }
}

void Parser::Finish() {
  PushCurrent();
  phase_ = Phase::kSeek;
}

}  // namespace zerotrace::http1
