#include "agent/span/printable_text.h"

#include <algorithm>

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
  size_t budget = max_bytes;
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (IsPrintableAscii(c) && c != ' ') {
      if (budget < 1) return;
      out += ch;
      budget -= 1;
    } else {
      if (budget < 3) return;
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
      budget -= 3;
    }
  }
}

}  // namespace zerotrace
