// Writes attributes into a vector in place, reusing the slots (and their
// strings' capacity) left by a previous use. Lets a caller that recycles Span
// objects build one with no allocation once the buffers have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/model/span.h"

namespace zerotrace {

class AttributeWriter {
 public:
  explicit AttributeWriter(std::vector<Attribute>& attributes) : attributes_(attributes) {}
  AttributeWriter(const AttributeWriter&) = delete;
  AttributeWriter& operator=(const AttributeWriter&) = delete;

  // An empty string value under `key`, for the caller to fill.
  std::string& String(std::string_view key) {
    Attribute& a = Slot(key);
    if (auto* s = std::get_if<std::string>(&a.value)) {
      s->clear();
      return *s;
    }
    return a.value.emplace<std::string>();
  }
  void String(std::string_view key, std::string_view value) { String(key).assign(value); }
  void Int(std::string_view key, int64_t value) { Slot(key).value = value; }

  // Drops the slots this writer did not reach. Call once, after the last write.
  void Finish() { attributes_.erase(attributes_.begin() + used_, attributes_.end()); }

 private:
  Attribute& Slot(std::string_view key) {
    if (used_ == attributes_.size()) attributes_.emplace_back();
    Attribute& a = attributes_[used_++];
    a.key.assign(key);
    return a;
  }

  std::vector<Attribute>& attributes_;
  size_t used_ = 0;
};

}  // namespace zerotrace
