// url.query values routinely carry tokens, emails and signatures; by default
// every value is replaced and only the parameter names survive.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zerotrace {

// Appends `query` (without the '?') to `out`, at most `max_bytes`. With
// `redact_values`, each "key=value" becomes "key=REDACTED"; a parameter
// without '=' is a bare name and kept. Bytes outside printable ASCII are
// %XX-escaped. A value's bytes are never copied when redacting, even when the
// cap cuts the output short.
void AppendQuery(std::string_view query, bool redact_values, size_t max_bytes, std::string& out);

}  // namespace zerotrace
