// gzip (RFC 1952) compression of request bodies, for exporters sending
// "Content-Encoding: gzip".
#pragma once

#include <string>
#include <string_view>

namespace zerotrace::otlp {

// Replaces the contents of *out with `input` as one gzip member (deflate at
// zlib's default level). Pass the same string for every call: its capacity
// is kept. On failure returns false, sets *error and leaves *out
// unspecified.
bool GzipCompress(std::string_view input, std::string* out, std::string* error);

}  // namespace zerotrace::otlp
