#include "agent/process/uuid_v5.h"

#include <bit>
#include <cstring>

#include "base/text.h"

namespace zerotrace {
namespace {

void Sha1Block(const uint8_t* block, std::array<uint32_t, 5>& h) {
  uint32_t w[80];
  for (int t = 0; t < 16; ++t)
    w[t] = uint32_t{block[4 * t]} << 24 | uint32_t{block[4 * t + 1]} << 16 |
           uint32_t{block[4 * t + 2]} << 8 | uint32_t{block[4 * t + 3]};
  for (int t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int t = 0; t < 80; ++t) {
    uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d), k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d, k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d, k = 0xca62c1d6;
    }
    uint32_t temp = std::rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = std::rotl(b, 30);
    b = a;
    a = temp;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

}  // namespace

std::array<uint8_t, 20> Sha1(std::string_view data) {
  std::array<uint32_t, 5> h = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  size_t full = data.size() / 64 * 64;
  for (size_t i = 0; i < full; i += 64) Sha1Block(bytes + i, h);

  // Padding: 0x80, zeros, then the message length in bits, big-endian, to
  // fill one or two final blocks.
  uint8_t tail[128] = {};
  size_t rest = data.size() - full;
  std::memcpy(tail, bytes + full, rest);
  tail[rest] = 0x80;
  size_t tail_size = rest + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_size - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  for (size_t i = 0; i < tail_size; i += 64) Sha1Block(tail + i, h);

  std::array<uint8_t, 20> digest{};
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<uint8_t>(h[i] >> (24 - 8 * j));
  return digest;
}

std::string UuidV5(const Uuid& name_space, std::string_view name) {
  std::string input(reinterpret_cast<const char*>(name_space.data()), name_space.size());
  input.append(name);
  std::array<uint8_t, 20> digest = Sha1(input);
  Uuid u;
  std::memcpy(u.data(), digest.data(), u.size());
  u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x50);  // version 5
  u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80);  // RFC variant

  std::string hex = ToHex(u);
  std::string out;
  out.reserve(36);
  out.append(hex, 0, 8).append(1, '-').append(hex, 8, 4).append(1, '-').append(hex, 12, 4);
  out.append(1, '-').append(hex, 16, 4).append(1, '-').append(hex, 20, 12);
  return out;
}

}  // namespace zerotrace
