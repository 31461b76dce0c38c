#include "agent/protocols/http1/query_redaction.h"

#include "agent/model/printable_text.h"
#include "agent/model/semconv.h"

namespace zerotrace {

void AppendQuery(std::string_view query, bool redact_values, size_t max_bytes, std::string& out) {
  if (!redact_values) {
    AppendPercentEscaped(query, max_bytes, out);
    return;
  }
  const size_t limit = out.size() + max_bytes;
  auto append_within_cap = [&](std::string_view text) {
    AppendPercentEscaped(text, limit - out.size(), out);
  };
  while (out.size() < limit) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) {
      append_within_cap(param);
    } else {
      append_within_cap(param.substr(0, eq + 1));
      append_within_cap(semconv::kRedacted);
    }
    if (amp == std::string_view::npos) break;
    append_within_cap("&");
    query.remove_prefix(amp + 1);
  }
}

}  // namespace zerotrace
