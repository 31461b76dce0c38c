// How an HTTP/1.x message's body is delimited (RFC 9112 6.3), from its start
// line and header fields: the rules only, no bytes. Parser follows them.
#pragma once

#include <cstdint>

namespace zerotrace::http1 {

struct HeaderFields;  // header_block.h

enum class BodyFraming : uint8_t {
  kNone,           // the message ends with its header block
  kContentLength,  // HeaderFields::content_length bytes
  kChunked,        // chunked transfer coding (ChunkedBody)
  kUntilClose,     // a response without length: the body runs until the connection closes
  kLost,           // cannot be framed: the body runs until the next message start
  kOpaque,         // no body, and the connection then carries another protocol
};

// What framing needs to know of the request a response answers.
enum class AnsweredMethod : uint8_t { kOther, kHead, kConnect };

// 1xx other than 101: precedes the real response (100 Continue and friends).
constexpr bool IsInterimStatus(int status) { return status >= 100 && status < 200 && status != 101; }

// `headers_complete`: the header block was read to its end (a truncated one
// cannot say how the body is framed).
BodyFraming RequestBodyFraming(const HeaderFields& fields, bool headers_complete);
// For a final (not interim) response.
BodyFraming ResponseBodyFraming(int status, AnsweredMethod method, const HeaderFields& fields,
                                bool headers_complete);

}  // namespace zerotrace::http1
