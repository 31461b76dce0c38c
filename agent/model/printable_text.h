// Captured bytes come from arbitrary programs; OTLP strings must be valid
// UTF-8 and span names should stay readable. These helpers bound and clean
// text on its way into a span.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zerotrace {

// Appends at most `max_bytes` of `in` to `out`, each byte outside printable
// ASCII (0x20..0x7e) replaced by '_'. For names and free text.
void AppendPrintable(std::string_view in, size_t max_bytes, std::string& out);

// Appends `in` with each byte outside printable ASCII, and each space,
// written as %XX, stopping before `out` would grow by more than `max_bytes`.
// For URL parts: the result is still a valid URL component.
void AppendPercentEscaped(std::string_view in, size_t max_bytes, std::string& out);

bool IsValidUtf8(std::string_view in);

// `in` itself when it is valid UTF-8, else its AppendPrintable form. For
// names that come from the file system or a process environment. Valid
// UTF-8 longer than `max_bytes` is cut on a character boundary.
std::string ToValidUtf8(std::string_view in, size_t max_bytes);

}  // namespace zerotrace
