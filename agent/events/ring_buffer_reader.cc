#include "agent/events/ring_buffer_reader.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace zerotrace {

RingBufferReader::RingBufferReader(int map_fd, Handler handler) : handler_(std::move(handler)) {
  rb_ = ring_buffer__new(map_fd, &RingBufferReader::OnRecord, this, nullptr);
  if (!rb_)
    throw std::runtime_error(std::string("could not open the event ring buffer: ") +
                             std::strerror(errno));
}

RingBufferReader::~RingBufferReader() { ring_buffer__free(rb_); }

int RingBufferReader::OnRecord(void* ctx, void* data, size_t size) {
  auto* self = static_cast<RingBufferReader*>(ctx);
  self->handler_(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size));
  return 0;
}

int RingBufferReader::Poll(int timeout_ms) {
  int n = ring_buffer__poll(rb_, timeout_ms);
  if (n == -EINTR) return -1;
  // With batched wake-ups the kernel may not have woken us for what waits:
  // a timeout is when that is taken.
  if (n == 0) n = ring_buffer__consume(rb_);
  return n < 0 ? 0 : n;
}

}  // namespace zerotrace
