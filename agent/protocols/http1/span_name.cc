#include "agent/protocols/http1/span_name.h"

#include <algorithm>

#include "agent/model/printable_text.h"
#include "agent/protocols/http1/http_method.h"
#include "agent/protocols/http1/request_target.h"
#include "base/text.h"

namespace zerotrace {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool IsIdSegment(std::string_view s) {
  if (s.empty()) return false;
  if (std::all_of(s.begin(), s.end(), IsDigit)) return true;
  if (IsUuidText(s)) return true;
  if (!IsHexDigits(s)) return false;
  // Pure-letter hex words ("cafe", "deadbeef", "facade") are names, not ids,
  // until they get long enough that no word is that long.
  return s.size() >= 16 || (s.size() >= 8 && std::any_of(s.begin(), s.end(), IsDigit));
}

void AppendPathTemplate(std::string_view path, size_t max_bytes, std::string& out) {
  const size_t limit = out.size() + max_bytes;
  while (out.size() < limit) {
    size_t slash = path.find('/');
    std::string_view segment = path.substr(0, slash);
    std::string_view text = IsIdSegment(segment) ? kIdPlaceholder : segment;
    AppendPrintable(text, limit - out.size(), out);
    if (slash == std::string_view::npos || out.size() >= limit) break;
    out += '/';
    path.remove_prefix(slash + 1);
  }
}

void BuildSpanName(std::string_view method, std::string_view target, std::string& out) {
  out.clear();
  if (!IsKnownHttpMethod(method)) {
    out = "HTTP";
    return;
  }
  out.append(method);
  std::string_view path = SplitRequestTarget(target).path;
  if (path.empty()) return;
  out += ' ';
  AppendPathTemplate(path, kMaxSpanNameBytes - out.size(), out);
}

std::string SpanName(std::string_view method, std::string_view target) {
  std::string out;
  BuildSpanName(method, target, out);
  return out;
}

}  // namespace zerotrace
