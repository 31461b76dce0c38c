// UTF-8 validation for text that came off the network: span names, URLs and
// header values are whatever bytes the traced program sent.
#pragma once

#include <cstddef>
#include <string_view>

namespace zerotrace {

// Length (1-4) of the well-formed UTF-8 sequence starting at text[pos], or 0
// if the bytes there are not one (stray continuation byte, truncated
// sequence, overlong form, surrogate, or beyond U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t pos);

}  // namespace zerotrace
