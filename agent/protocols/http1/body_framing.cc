#include "agent/protocols/http1/body_framing.h"

#include "agent/protocols/http1/header_block.h"

namespace zerotrace::http1 {

BodyFraming RequestBodyFraming(const HeaderFields& fields, bool headers_complete) {
  if (!headers_complete) return BodyFraming::kLost;
  if (fields.has_transfer_encoding) {
    // A request coding other than chunked cannot be framed (RFC 9112 6.3).
    return fields.chunked ? BodyFraming::kChunked : BodyFraming::kLost;
  }
  if (fields.content_length_invalid) return BodyFraming::kLost;
  return fields.content_length > 0 ? BodyFraming::kContentLength : BodyFraming::kNone;
}

BodyFraming ResponseBodyFraming(int status, AnsweredMethod method, const HeaderFields& fields,
                                bool headers_complete) {
  if (!headers_complete) return BodyFraming::kLost;
  if (status == 101 || (method == AnsweredMethod::kConnect && status / 100 == 2))
    return BodyFraming::kOpaque;
  if (method == AnsweredMethod::kHead || status == 204 || status == 304) return BodyFraming::kNone;
  if (fields.has_transfer_encoding) {
    return fields.chunked ? BodyFraming::kChunked : BodyFraming::kUntilClose;
  }
  if (fields.content_length_invalid) return BodyFraming::kLost;
  if (fields.has_content_length) {
    return fields.content_length == 0 ? BodyFraming::kNone : BodyFraming::kContentLength;
  }
  return BodyFraming::kUntilClose;
}

}  // namespace zerotrace::http1
