// Where finished spans go. The pipeline thread calls Consume(); an
// implementation must never block it on the network.
#pragma once

#include "agent/model/span.h"

namespace zerotrace {

class SpanPool;

class SpanSink {
 public:
  virtual ~SpanSink() = default;
  virtual void Consume(Span span) = 0;
  // Called periodically from the pipeline thread (about every 100 ms) so
  // sinks can act on time (print idle traces, flush batches).
  virtual void Tick(uint64_t now_unix_ns) { (void)now_unix_ns; }
  // Export or print everything still held, waiting at most until the
  // sink's own timeout. Called once at shutdown.
  virtual void Shutdown() {}
  // Where the sink hands spans back once done with them, for the pipeline
  // to build the next ones into; null if it keeps or frees them itself.
  virtual SpanPool* span_pool() { return nullptr; }
};

}  // namespace zerotrace
