#include "exporter/jsonl/json_escape.h"

#include <cstdint>

#include "base/text.h"
#include "exporter/utf8.h"

namespace zerotrace::jsonl {

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t pos = 0;
  while (pos < text.size()) {
    const auto c = static_cast<uint8_t>(text[pos]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(text, pos);
      if (len == 0) {
        out->append("\\ufffd");
        ++pos;
      } else {
        out->append(text.substr(pos, len));
        pos += len;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        // DEL is legal JSON but escaped too, so a line printed to a
        // terminal carries no raw control bytes at all.
        if (c < 0x20 || c == 0x7F) {
          out->append("\\u00");
          AppendHex({&c, 1}, *out);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++pos;
  }
  out->push_back('"');
}

}  // namespace zerotrace::jsonl
