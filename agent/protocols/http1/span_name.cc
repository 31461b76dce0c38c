#include "agent/protocols/http1/span_name.h"

#include <algorithm>

#include "agent/protocols/http1/http_method.h"
#include "agent/model/printable_text.h"
#include "agent/protocols/http1/request_target.h"

namespace zerotrace {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash_slot = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_slot ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

}  // namespace

bool IsIdSegment(std::string_view s) {
  if (s.empty()) return false;
  if (std::all_of(s.begin(), s.end(), IsDigit)) return true;
  if (IsUuid(s)) return true;
  if (!std::all_of(s.begin(), s.end(), IsHex)) return false;
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
