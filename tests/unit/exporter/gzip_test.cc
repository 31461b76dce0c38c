// gzip compression: the output is a gzip stream zlib's own inflate restores.
#include "exporter/otlp/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>

namespace zerotrace::otlp {
namespace {

// Inflates a gzip stream (windowBits 15 + 32: detect gzip or zlib headers).
bool Gunzip(const std::string& compressed, std::string* out) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  out->clear();
  char buffer[16384];
  int rc;
  do {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out->append(buffer, sizeof buffer - stream.avail_out);
  } while (rc == Z_OK);
  const bool whole_stream = rc == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  return whole_stream;
}

std::string Compress(const std::string& input) {
  std::string out, error;
  EXPECT_TRUE(GzipCompress(input, &out, &error)) << error;
  EXPECT_TRUE(error.empty()) << error;
  return out;
}

void ExpectGzipMagic(const std::string& compressed) {
  ASSERT_GE(compressed.size(), 18u);  // 10-byte header + 8-byte trailer at least
  EXPECT_EQ(static_cast<uint8_t>(compressed[0]), 0x1f);
  EXPECT_EQ(static_cast<uint8_t>(compressed[1]), 0x8b);
  EXPECT_EQ(static_cast<uint8_t>(compressed[2]), 8);  // deflate
}

TEST(Gzip, RoundTripsText) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += "{\"resourceSpans\":[{\"scopeSpans\":[]}]}";
  const std::string compressed = Compress(input);
  ExpectGzipMagic(compressed);
  EXPECT_LT(compressed.size(), input.size() / 10);  // repetitive text compresses well
  std::string restored;
  ASSERT_TRUE(Gunzip(compressed, &restored));
  EXPECT_EQ(restored, input);
}

TEST(Gzip, EmptyInputIsAValidEmptyStream) {
  const std::string compressed = Compress("");
  ExpectGzipMagic(compressed);
  std::string restored = "not empty";
  ASSERT_TRUE(Gunzip(compressed, &restored));
  EXPECT_EQ(restored, "");
}

TEST(Gzip, RoundTripsAMegabyteOfNoise) {
  std::string input(1 << 20, '\0');
  uint64_t state = 0x9E3779B97F4A7C15u;  // xorshift64: noise deflate cannot shrink
  for (char& c : input) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state >> 56);
  }
  const std::string compressed = Compress(input);
  ExpectGzipMagic(compressed);
  std::string restored;
  ASSERT_TRUE(Gunzip(compressed, &restored));
  EXPECT_EQ(restored, input);
}

TEST(Gzip, ReusedBufferHoldsOnlyTheLatestResult) {
  std::string out, error;
  ASSERT_TRUE(GzipCompress(std::string(100000, 'x'), &out, &error));
  ASSERT_TRUE(GzipCompress("short", &out, &error));
  std::string restored;
  ASSERT_TRUE(Gunzip(out, &restored));
  EXPECT_EQ(restored, "short");
}

}  // namespace
}  // namespace zerotrace::otlp
