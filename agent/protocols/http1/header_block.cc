#include "agent/protocols/http1/header_block.h"

#include <cstring>
#include <limits>

#include "base/text.h"

namespace zerotrace::http1 {
namespace {

// Longest method accepted; real ones (standard + WebDAV + SSDP) are far shorter.
constexpr size_t kMaxMethodLength = 24;
// Content-Length values above this are treated as invalid (keeps arithmetic safe).
constexpr uint64_t kMaxContentLength = uint64_t{1} << 62;

// Methods are tokens; we accept the upper-case subset real clients send
// (GET, PROPFIND, M-SEARCH, ...). Lower case is legal but in practice means
// we are looking at text that is not HTTP.
bool IsMethodChar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Anything visible; obs-text (raw UTF-8) too, since some clients send it.
bool IsTargetChar(unsigned char c) { return c > 0x20 && c != 0x7f; }

bool IsReasonChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

// "HTTP/1.0" or "HTTP/1.1" at data[i].
StartLineCheck MatchVersion(std::string_view data, size_t i, std::string_view* version) {
  static constexpr std::string_view kPrefix = "HTTP/1.";
  for (size_t k = 0; k < 8; ++k) {
    if (i + k >= data.size()) return StartLineCheck::kNeedMore;
    const char c = data[i + k];
    const bool ok = k < kPrefix.size() ? c == kPrefix[k] : (c == '0' || c == '1');
    if (!ok) return StartLineCheck::kInvalid;
  }
  *version = data.substr(i + 5, 3);
  return StartLineCheck::kValid;
}

// "\r\n" or "\n" at data[i]; *end is just past it.
StartLineCheck MatchLineEnd(std::string_view data, size_t i, size_t* end) {
  if (i >= data.size()) return StartLineCheck::kNeedMore;
  if (data[i] == '\n') {
    *end = i + 1;
    return StartLineCheck::kValid;
  }
  if (data[i] != '\r') return StartLineCheck::kInvalid;
  if (i + 1 >= data.size()) return StartLineCheck::kNeedMore;
  if (data[i + 1] != '\n') return StartLineCheck::kInvalid;
  *end = i + 2;
  return StartLineCheck::kValid;
}

// method SP request-target SP HTTP-version CRLF
StartLineCheck ParseRequestLine(std::string_view data, StartLine* out) {
  size_t i = 0;
  while (i < data.size() && i <= kMaxMethodLength && IsMethodChar(static_cast<unsigned char>(data[i]))) ++i;
  if (i > kMaxMethodLength) return StartLineCheck::kInvalid;
  if (i > 0 && !(data[0] >= 'A' && data[0] <= 'Z')) return StartLineCheck::kInvalid;
  if (i == data.size()) return StartLineCheck::kNeedMore;
  if (i == 0 || data[i] != ' ') return StartLineCheck::kInvalid;
  out->method = data.substr(0, i);
  out->usable = true;

  const size_t target_begin = ++i;
  while (i < data.size() && IsTargetChar(static_cast<unsigned char>(data[i]))) ++i;
  out->target = data.substr(target_begin, i - target_begin);
  if (i == data.size()) return StartLineCheck::kNeedMore;
  if (i == target_begin || data[i] != ' ') return StartLineCheck::kInvalid;

  StartLineCheck check = MatchVersion(data, i + 1, &out->version);
  if (check != StartLineCheck::kValid) return check;
  return MatchLineEnd(data, i + 9, &out->length);
}

// HTTP-version SP 3DIGIT [SP reason-phrase] CRLF
StartLineCheck ParseStatusLine(std::string_view data, StartLine* out) {
  StartLineCheck check = MatchVersion(data, 0, &out->version);
  if (check != StartLineCheck::kValid) return check;
  size_t i = 8;
  if (i >= data.size()) return StartLineCheck::kNeedMore;
  if (data[i] != ' ') return StartLineCheck::kInvalid;
  ++i;
  int status = 0;
  for (size_t k = 0; k < 3; ++k, ++i) {
    if (i >= data.size()) return StartLineCheck::kNeedMore;
    if (data[i] < '0' || data[i] > '9') return StartLineCheck::kInvalid;
    status = status * 10 + (data[i] - '0');
  }
  if (status < 100 || status > 599) return StartLineCheck::kInvalid;
  out->status_code = status;
  out->usable = true;
  if (i >= data.size()) return StartLineCheck::kNeedMore;
  if (data[i] != ' ') return MatchLineEnd(data, i, &out->length);

  ++i;
  const void* nl = std::memchr(data.data() + i, '\n', data.size() - i);
  const size_t stop = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
  size_t reason_end = stop;
  if (nl && reason_end > i && data[reason_end - 1] == '\r') --reason_end;
  for (size_t k = i; k < reason_end; ++k) {
    if (!IsReasonChar(static_cast<unsigned char>(data[k]))) {
      // A CR as the very last captured byte may be the first half of CRLF.
      if (!nl && k + 1 == reason_end && data[k] == '\r') break;
      return StartLineCheck::kInvalid;
    }
  }
  if (!nl) return StartLineCheck::kNeedMore;
  out->length = stop + 1;
  return StartLineCheck::kValid;
}

// Content-Length: 1*DIGIT, or a list of identical values ("5, 5").
void ReadContentLength(std::string_view value, HeaderFields* out) {
  bool any = false;
  while (true) {
    const size_t comma = value.find(',');
    std::string_view item = TrimBlanks(value.substr(0, comma));
    if (item.empty()) {
      out->content_length_invalid = true;
      return;
    }
    uint64_t n = 0;
    for (char c : item) {
      if (c < '0' || c > '9' || n > kMaxContentLength / 10) {
        out->content_length_invalid = true;
        return;
      }
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (n > kMaxContentLength || (out->has_content_length && n != out->content_length)) {
      out->content_length_invalid = true;
      return;
    }
    out->has_content_length = true;
    out->content_length = n;
    any = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (!any) out->content_length_invalid = true;
}

void ReadHeaderLine(std::string_view line, HeaderFields* out) {
  if (line.front() == ' ' || line.front() == '\t') return;  // obs-fold continuation: ignored
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return;
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = TrimBlanks(line.substr(colon + 1));
  // Dispatch on length first: most header lines are none of these.
  switch (name.size()) {
    case 4:
      if (out->host.empty() && EqualsIgnoreAsciiCase(name, "host")) out->host = value;
      break;
    case 10:
      if (EqualsIgnoreAsciiCase(name, "user-agent")) {
        if (out->user_agent.empty()) out->user_agent = value;
      } else if (EqualsIgnoreAsciiCase(name, "tracestate")) {
        if (!value.empty() && out->tracestate_count < HeaderFields::kMaxTracestate) {
          out->tracestate[out->tracestate_count++] = value;
        }
      }
      break;
    case 11:
      if (out->traceparent.empty() && EqualsIgnoreAsciiCase(name, "traceparent")) out->traceparent = value;
      break;
    case 14:
      if (EqualsIgnoreAsciiCase(name, "content-length")) ReadContentLength(value, out);
      break;
    case 17:
      if (EqualsIgnoreAsciiCase(name, "transfer-encoding")) {
        out->has_transfer_encoding = true;
        // Only the last coding decides whether the body is chunked.
        const size_t comma = value.rfind(',');
        const std::string_view last =
            TrimBlanks(comma == std::string_view::npos ? value : value.substr(comma + 1));
        out->chunked = EqualsIgnoreAsciiCase(last, "chunked");
      }
      break;
    default:
      break;
  }
}

}  // namespace

StartLineCheck ParseStartLine(MessageKind kind, std::string_view data, StartLine* out) {
  *out = StartLine{};
  return kind == MessageKind::kRequest ? ParseRequestLine(data, out) : ParseStatusLine(data, out);
}

HeaderScan ParseHeaderLines(std::string_view data, HeaderFields* out) {
  HeaderScan scan;
  size_t pos = 0;
  while (pos < data.size()) {
    const void* nl = std::memchr(data.data() + pos, '\n', data.size() - pos);
    if (nl == nullptr) break;
    const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - data.data());
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    scan.consumed = pos;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      scan.complete = true;
      break;
    }
    ReadHeaderLine(line, out);
  }
  return scan;
}

size_t FindHeaderBlockEnd(std::string_view data, size_t* resume) {
  size_t i = *resume;
  while (i < data.size()) {
    const void* nl = std::memchr(data.data() + i, '\n', data.size() - i);
    if (nl == nullptr) break;
    const size_t p = static_cast<size_t>(static_cast<const char*>(nl) - data.data());
    if (p + 1 >= data.size()) {
      *resume = p;
      return std::string_view::npos;
    }
    if (data[p + 1] == '\n') return p + 2;
    if (data[p + 1] == '\r') {
      if (p + 2 >= data.size()) {
        *resume = p;
        return std::string_view::npos;
      }
      if (data[p + 2] == '\n') return p + 3;
    }
    i = p + 1;
  }
  *resume = data.size();
  return std::string_view::npos;
}

}  // namespace zerotrace::http1
