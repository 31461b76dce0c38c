#include "exporter/otlp/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstddef>

namespace zerotrace::otlp {

namespace {

// windowBits 15 (the largest window) + 16: write a gzip header and trailer
// instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kDefaultMemLevel = 8;

// zlib counts in uInt; larger inputs are fed in pieces of this size.
constexpr size_t kMaxChunk = UINT_MAX;

// Ends the deflate stream however GzipCompress returns.
class DeflateStream {
 public:
  DeflateStream() = default;
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;
  ~DeflateStream() {
    if (initialized_) deflateEnd(&stream_);
  }

  int Init() {
    const int rc = deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits,
                                kDefaultMemLevel, Z_DEFAULT_STRATEGY);
    initialized_ = rc == Z_OK;
    return rc;
  }
  z_stream* get() { return &stream_; }

 private:
  z_stream stream_{};
  bool initialized_ = false;
};

void SetError(const char* what, int rc, const z_stream& stream, std::string* error) {
  *error = what;
  *error += " failed: ";
  *error += stream.msg != nullptr ? stream.msg : zError(rc);
}

}  // namespace

bool GzipCompress(std::string_view input, std::string* out, std::string* error) {
  DeflateStream deflate_stream;
  z_stream* stream = deflate_stream.get();
  if (const int rc = deflate_stream.Init(); rc != Z_OK) {
    SetError("deflateInit2", rc, *stream, error);
    return false;
  }

  // deflateBound is enough for one Z_FINISH call; the loop still grows the
  // buffer should it ever run out.
  out->resize(deflateBound(stream, input.size()));
  size_t in_pos = 0, out_pos = 0;
  while (true) {
    if (out_pos == out->size()) out->resize(out->size() * 2 + 64);
    const size_t in_chunk = std::min(kMaxChunk, input.size() - in_pos);
    const size_t out_chunk = std::min(kMaxChunk, out->size() - out_pos);
    // zlib does not write through next_in; the cast is its API's.
    stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + in_pos));
    stream->avail_in = static_cast<uInt>(in_chunk);
    stream->next_out = reinterpret_cast<Bytef*>(out->data() + out_pos);
    stream->avail_out = static_cast<uInt>(out_chunk);
    const int flush = in_pos + in_chunk == input.size() ? Z_FINISH : Z_NO_FLUSH;

    const int rc = deflate(stream, flush);
    in_pos += in_chunk - stream->avail_in;
    out_pos += out_chunk - stream->avail_out;
    if (rc == Z_STREAM_END) break;
    // There is always room to write and Z_FINISH comes with the last
    // piece, so anything but progress (Z_OK) is an error, never a retry.
    if (rc != Z_OK) {
      SetError("deflate", rc, *stream, error);
      return false;
    }
  }
  out->resize(out_pos);
  return true;
}

}  // namespace zerotrace::otlp
