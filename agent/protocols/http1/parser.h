// Incremental HTTP/1.x framing over captured syscall chunks.
//
// Each chunk is a prefix of what one syscall moved: the kernel copies at most
// ZT_MAX_CAPTURE bytes, so `total_size` may exceed the captured bytes. The
// parser frames messages by Content-Length / chunked encoding / no-body rules,
// skipping uncaptured bytes by count. When framing cannot be followed
// (uncaptured chunk headers, truncated header block, lost events) it resyncs:
// the next chunk that begins with a message start opens a new message and
// closes the one in progress (reported with framing_lost; its body_size is
// then the bytes seen after its header block, a best effort).
//
// A message may begin only at a chunk start or right after a complete
// message inside a chunk. A chunk that cannot begin one while no message is
// open counts as garbage and is skipped. Memory is bounded: at most
// kMaxHeaderBytes of a header block split across chunks are held; a longer
// block is treated as truncated.
//
// Why not llhttp/http-parser: they need every byte; captures here have holes.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/protocols/http1/body_framing.h"
#include "agent/protocols/http1/chunked_body.h"
#include "agent/protocols/http1/types.h"

namespace zerotrace::http1 {

struct StartLine;     // header_block.h
struct HeaderFields;  // header_block.h

struct ParserStats {
  uint64_t messages = 0;
  uint64_t garbage_chunks = 0;  // chunks skipped because they were not HTTP
  uint64_t resyncs = 0;         // times framing was lost and found again
};

class Parser {
 public:
  explicit Parser(MessageKind kind);

  // One syscall's captured bytes (a prefix of `total_size` bytes).
  void Feed(std::span<const uint8_t> captured, uint64_t total_size, const ChunkTiming& timing);

  // `bytes` went by without being seen (lost events). A body framed by count
  // (Content-Length, chunk data) absorbs them and framing continues; a message
  // that ends inside the gap is closed at its last seen chunk with
  // framing_lost. Otherwise (headers, chunk-size lines) its framing is lost
  // and it is closed as resync describes; with no message open, parsing
  // resumes at the next chunk that begins a message.
  void Gap(uint64_t bytes);

  // The connection closed: a response framed by close ends here (not
  // framing_lost). A framed body cut short is reported with framing_lost, a
  // partly buffered header block as headers_truncated. last_chunk stays the
  // chunk that carried the last byte. The parser is then reset: queued
  // expected methods are dropped and an opaque (101) stream ends.
  void Close(const ChunkTiming& timing);

  // The message in progress (if it is past its headers and waiting on a
  // framing-lost or read-until-close body) is finished now. The tracker calls
  // this when the other direction proves the message is over. Reported with
  // framing_lost, since framing did not find the end.
  void FinishPending();

  // For the response direction: the methods of the requests, in order, so
  // responses to HEAD (and 1xx/204/304) are framed without a body. When none
  // is queued, a response is framed as if the request was GET. Interim 1xx
  // responses are skipped: not reported, no method consumed. 101 Switching
  // Protocols (and a 2xx to CONNECT) is reported, and the rest of the stream
  // is ignored as no longer HTTP.
  void ExpectResponseTo(std::string_view request_method);
  // The queued methods no longer line up with the responses to come (the
  // tracker gave up on requests across lost events).
  void ForgetExpectedResponses() { expected_methods_.clear(); }

  // Completed messages, oldest first. The caller pops what it consumes.
  std::deque<Request>& requests() { return requests_; }
  std::deque<Response>& responses() { return responses_; }

  const ParserStats& stats() const { return stats_; }

  // Bytes held for a header block split across chunks (never above
  // kMaxHeaderBytes); exposed so tests and metrics can watch memory.
  size_t buffered_bytes() const { return header_buf_.size(); }

  // A header block longer than this is treated as truncated.
  static constexpr size_t kMaxHeaderBytes = 16 * 1024;

 private:
  enum class Phase : uint8_t {
    kSeek,            // between messages: a start line may begin here
    kHeaders,         // header block split across chunks, collected in header_buf_
    kBodyLength,      // Content-Length body: remaining_ bytes to go
    kChunkedBody,     // chunked body: chunked_ reads it
    kBodyUntilClose,  // response without length: body runs until Close()
    kBodyLost,        // framing lost: body runs until the next message start
    kOpaque,          // after 101 Switching Protocols: no longer HTTP
  };

  MessageCommon& Current();
  size_t SeekStart(std::string_view data, size_t pos, uint64_t* unseen, const ChunkTiming& timing);
  size_t ContinueHeaders(std::string_view data, uint64_t* unseen, const ChunkTiming& timing);
  void TruncateBufferedHeaders(const ChunkTiming& timing);
  void BeginMessage(const StartLine& line, const HeaderFields& fields, bool complete,
                    const ChunkTiming& timing);
  void FollowFraming(BodyFraming framing, const HeaderFields& fields);
  size_t ConsumeLengthBody(std::string_view data, size_t pos, const ChunkTiming& timing);
  size_t ConsumeChunked(std::string_view data, size_t pos, const ChunkTiming& timing);
  void SkipUnseen(uint64_t bytes, const ChunkTiming* timing);
  void OnStartFound();
  void AbandonStart(uint64_t bytes, const ChunkTiming& timing);
  void LoseFraming();
  void StartChunked();
  void ClearHeaderBuffer();
  void PushCurrent();
  void Finish();
  AnsweredMethod PopExpectedMethod();

  MessageKind kind_;
  std::deque<Request> requests_;
  std::deque<Response> responses_;
  std::deque<std::string> expected_methods_;
  ParserStats stats_;

  Phase phase_ = Phase::kSeek;
  bool in_sync_ = true;        // the next message start is where framing says
  bool lost_pending_ = false;  // a framing-lost message stays open while header_buf_ may start the next
  bool start_valid_ = false;   // header_buf_ begins with a complete, valid start line
  Request request_;            // the message in progress (kind_ says which)
  Response response_;
  std::string header_buf_;     // at most kMaxHeaderBytes; reused
  size_t header_resume_ = 0;   // where the search for the block end resumes in header_buf_
  ChunkTiming start_timing_;   // chunk holding the first byte of the message being started
  ChunkTiming last_seen_;      // the most recent chunk fed
  uint64_t remaining_ = 0;     // Content-Length body bytes still to come
  ChunkedBody chunked_;        // the chunked body in progress (kChunkedBody)
};

}  // namespace zerotrace::http1
