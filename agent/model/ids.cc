#include "agent/model/ids.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <random>

namespace zerotrace {
namespace {

// One generator per thread: no lock on the span hot path. mt19937_64 is not a
// CSPRNG, but ids only need to be unique, not unguessable (OTel SDKs make the
// same trade). Seeded from the OS so two agents never share a sequence.
std::mt19937_64& Generator() {
  thread_local std::mt19937_64 gen = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  return gen;
}

template <size_t N>
std::array<uint8_t, N> RandomNonZero() {
  std::array<uint8_t, N> id{};
  do {
    for (size_t i = 0; i < N; i += 8) {
      uint64_t word = Generator()();
      std::memcpy(id.data() + i, &word, std::min<size_t>(8, N - i));
    }
  } while (IsAllZero(id));
  return id;
}

// Digit value per byte, -1 for "not hex". Tables rather than branches:
// DecodeHex runs on the traceparent of every traced request.
struct HexTables {
  std::array<int8_t, 256> lower;
  std::array<int8_t, 256> any;
};
constexpr HexTables kHex = [] {
  HexTables t{};
  t.lower.fill(-1);
  t.any.fill(-1);
  for (int c = '0'; c <= '9'; ++c) t.lower[c] = t.any[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t.lower[c] = t.any[c] = static_cast<int8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t.any[c] = static_cast<int8_t>(c - 'A' + 10);
  return t;
}();

}  // namespace

TraceId NewTraceId() { return RandomNonZero<16>(); }
SpanId NewSpanId() { return RandomNonZero<8>(); }

bool IsAllZero(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes)
    if (b != 0) return false;
  return true;
}

void AppendHex(std::span<const uint8_t> bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  size_t pos = out.size();
  out.resize(pos + 2 * bytes.size());
  for (uint8_t b : bytes) {
    out[pos++] = kDigits[b >> 4];
    out[pos++] = kDigits[b & 0xf];
  }
}

std::string ToHex(std::span<const uint8_t> bytes) {
  std::string out;
  AppendHex(bytes, out);
  return out;
}

bool DecodeHex(std::string_view hex, std::span<uint8_t> out, HexCase accepted) {
  if (hex.size() != 2 * out.size()) return false;
  const std::array<int8_t, 256>& table = accepted == HexCase::kLowerOnly ? kHex.lower : kHex.any;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = table[static_cast<unsigned char>(hex[2 * i])];
    int lo = table[static_cast<unsigned char>(hex[2 * i + 1])];
    if ((hi | lo) < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace zerotrace
