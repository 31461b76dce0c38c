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

}  // namespace

TraceId NewTraceId() { return RandomNonZero<16>(); }
SpanId NewSpanId() { return RandomNonZero<8>(); }

bool IsAllZero(std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes)
    if (b != 0) return false;
  return true;
}

}  // namespace zerotrace
