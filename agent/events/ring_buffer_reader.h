// Reads the kernel's event ring buffer and hands each raw record to a
// handler, on the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

struct ring_buffer;

namespace zerotrace {

class RingBufferReader {
 public:
  using Handler = std::function<void(std::span<const uint8_t>)>;

  // `map_fd` is a BPF_MAP_TYPE_RINGBUF. Throws std::runtime_error on failure.
  RingBufferReader(int map_fd, Handler handler);
  ~RingBufferReader();
  RingBufferReader(const RingBufferReader&) = delete;
  RingBufferReader& operator=(const RingBufferReader&) = delete;

  // Waits up to `timeout_ms` for a wake-up, then delivers all records that
  // are ready, woken for or not.
  // Returns the number delivered, or -1 when interrupted by a signal.
  int Poll(int timeout_ms);

 private:
  static int OnRecord(void* ctx, void* data, size_t size);
  ring_buffer* rb_ = nullptr;
  Handler handler_;
};

}  // namespace zerotrace
