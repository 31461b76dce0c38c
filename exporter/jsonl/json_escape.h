// JSON string literals from untrusted bytes. Span names, URLs and header
// values are copied from captured traffic, so the input may hold control
// characters, quotes and bytes that are not UTF-8; the output is always
// valid JSON (RFC 8259) and valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace zerotrace::jsonl {

// Appends `text` as a quoted JSON string. Well-formed UTF-8 is copied as is;
// each byte that is not part of a well-formed sequence becomes \ufffd (the
// replacement character); control characters become \n-style or \u00XX
// escapes.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace zerotrace::jsonl
