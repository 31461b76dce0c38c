#include "agent/model/printable_text.h"

#include <algorithm>
#include <cstdint>

namespace zerotrace {
namespace {

bool IsPrintableAscii(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

}  // namespace

void AppendPrintable(std::string_view in, size_t max_bytes, std::string& out) {
  in = in.substr(0, std::min(in.size(), max_bytes));
  size_t pos = out.size();
  out.append(in);
  for (; pos < out.size(); ++pos)
    if (!IsPrintableAscii(static_cast<unsigned char>(out[pos]))) out[pos] = '_';
}

void AppendPercentEscaped(std::string_view in, size_t max_bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  auto needs_no_escape = [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return IsPrintableAscii(c) && c != ' ';
  };
  size_t budget = max_bytes;
  while (!in.empty()) {
    // Copy the run of bytes that need no escape in one append.
    size_t limit = std::min(in.size(), budget);
    size_t run = 0;
    while (run < limit && needs_no_escape(in[run])) ++run;
    out.append(in.data(), run);
    budget -= run;
    in.remove_prefix(run);
    if (in.empty() || needs_no_escape(in.front()) || budget < 3) return;  // done, or out of budget
    auto c = static_cast<unsigned char>(in.front());
    const char escape[3] = {'%', kDigits[c >> 4], kDigits[c & 0xf]};
    out.append(escape, 3);
    budget -= 3;
    in.remove_prefix(1);
  }
}

bool IsValidUtf8(std::string_view in) {
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > in.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(in[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are invalid.
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

std::string ToValidUtf8(std::string_view in, size_t max_bytes) {
  std::string out;
  if (IsValidUtf8(in)) {
    if (in.size() > max_bytes) {
      // Cut on a character boundary: back off continuation bytes.
      size_t n = max_bytes;
      while (n > 0 && (static_cast<unsigned char>(in[n]) & 0xc0) == 0x80) --n;
      in = in.substr(0, n);
    }
    out.assign(in);
  } else {
    AppendPrintable(in, max_bytes, out);
  }
  return out;
}

}  // namespace zerotrace
