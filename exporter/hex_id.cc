#include "exporter/hex_id.h"

namespace zerotrace {

void AppendHex(std::span<const uint8_t> bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out->reserve(out->size() + bytes.size() * 2);
  for (uint8_t b : bytes) {
    out->push_back(kDigits[b >> 4]);
    out->push_back(kDigits[b & 0xF]);
  }
}

}  // namespace zerotrace
