#include "agent/events/resource_codec.h"

#include <cstring>
#include <type_traits>

namespace zerotrace {
namespace {

enum : uint8_t { kString = 0, kInt = 1, kBool = 2, kDouble = 3 };

template <typename T>
void Put(const T& value, std::vector<uint8_t>* out) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
  out->insert(out->end(), bytes, bytes + sizeof(T));
}

void PutString(const std::string& text, std::vector<uint8_t>* out) {
  Put(static_cast<uint32_t>(text.size()), out);
  out->insert(out->end(), text.begin(), text.end());
}

// Reads from the front of a byte span; every read is bounds-checked.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  template <typename T>
  bool Get(T* value) {
    if (bytes_.size() < sizeof(T)) return false;
    std::memcpy(value, bytes_.data(), sizeof(T));  // entries need not be aligned
    bytes_ = bytes_.subspan(sizeof(T));
    return true;
  }
  bool GetString(std::string* text) {
    uint32_t size = 0;
    if (!Get(&size) || bytes_.size() < size) return false;
    text->assign(reinterpret_cast<const char*>(bytes_.data()), size);
    bytes_ = bytes_.subspan(size);
    return true;
  }
  bool empty() const { return bytes_.empty(); }
  size_t left() const { return bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
};

}  // namespace

void EncodeResource(const Resource& resource, std::vector<uint8_t>* out) {
  out->clear();
  Put(resource.pid, out);
  PutString(resource.service_name, out);
  Put(static_cast<uint32_t>(resource.attributes.size()), out);
  for (const Attribute& attribute : resource.attributes) {
    PutString(attribute.key, out);
    if (const auto* s = std::get_if<std::string>(&attribute.value)) {
      out->push_back(kString);
      PutString(*s, out);
    } else if (const auto* i = std::get_if<int64_t>(&attribute.value)) {
      out->push_back(kInt);
      Put(*i, out);
    } else if (const auto* b = std::get_if<bool>(&attribute.value)) {
      out->push_back(kBool);
      out->push_back(*b ? 1 : 0);
    } else {
      out->push_back(kDouble);
      Put(std::get<double>(attribute.value), out);
    }
  }
}

std::optional<Resource> DecodeResource(std::span<const uint8_t> bytes, std::string* error) {
  ByteReader in(bytes);
  Resource resource;
  uint32_t count = 0;
  if (!in.Get(&resource.pid) || !in.GetString(&resource.service_name) || !in.Get(&count)) {
    *error = "process resource cut short";
    return std::nullopt;
  }
  // Each attribute takes at least 5 bytes (empty key, tag): a count beyond
  // what is left is corrupt, and must not reserve gigabytes.
  if (count > in.left() / 5) {
    *error = "process resource claims more attributes than it holds";
    return std::nullopt;
  }
  resource.attributes.reserve(count);
  for (uint32_t n = 0; n < count; ++n) {
    Attribute attribute;
    uint8_t tag = 0;
    bool ok = in.GetString(&attribute.key) && in.Get(&tag);
    if (ok) {
      switch (tag) {
        case kString: {
          std::string s;
          ok = in.GetString(&s);
          attribute.value = std::move(s);
          break;
        }
        case kInt: {
          int64_t i = 0;
          ok = in.Get(&i);
          attribute.value = i;
          break;
        }
        case kBool: {
          uint8_t b = 0;
          ok = in.Get(&b) && b <= 1;
          attribute.value = b == 1;
          break;
        }
        case kDouble: {
          double d = 0;
          ok = in.Get(&d);
          attribute.value = d;
          break;
        }
        default:
          ok = false;
      }
    }
    if (!ok) {
      *error = "process resource has a cut-short or unknown attribute";
      return std::nullopt;
    }
    resource.attributes.push_back(std::move(attribute));
  }
  if (!in.empty()) {
    *error = "process resource followed by stray bytes";
    return std::nullopt;
  }
  return resource;
}

}  // namespace zerotrace
