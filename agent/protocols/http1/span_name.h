// Low-cardinality span names such as "GET /users/{id}".
//
// We never know the server's routes, so the path stands in for http.route with
// its id-like segments templated: a name per URL would flood every back-end's
// span-name index.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zerotrace {

inline constexpr size_t kMaxSpanNameBytes = 256;
inline constexpr std::string_view kIdPlaceholder = "{id}";

// True for a path segment that looks like an identifier: all digits, a UUID
// (8-4-4-4-12 hex), or hex of 16+ characters, or hex of 8+ containing a digit.
bool IsIdSegment(std::string_view segment);

// Appends `path` with id-like segments replaced by "{id}" and non-printable
// bytes by '_', stopping at `max_bytes` appended.
void AppendPathTemplate(std::string_view path, size_t max_bytes, std::string& out);

// Writes into `out` (reusing its capacity): "<METHOD> <templated path>" for a
// known method; "HTTP" for any other method; just the method when the target
// has no path (CONNECT host:443). At most kMaxSpanNameBytes.
void BuildSpanName(std::string_view method, std::string_view target, std::string& out);
std::string SpanName(std::string_view method, std::string_view target);

}  // namespace zerotrace
