// Spans handed back once a sink is done with them, for the pipeline to build
// the next ones into (SpanBuilder::BuildInto): their strings and attribute
// vector keep their capacity, so at a steady rate building a span allocates
// nothing, and the memory is reused by the thread that allocated it instead
// of being freed by the exporter's thread. Thread-safe; keeps at most
// `capacity` spans.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "agent/model/span.h"

namespace zerotrace {

class SpanPool {
 public:
  explicit SpanPool(size_t capacity) : capacity_(capacity) {}
  SpanPool(const SpanPool&) = delete;
  SpanPool& operator=(const SpanPool&) = delete;

  // A used span if one is free (with stale contents: build over all of it),
  // else a new one.
  Span Take();
  // Keeps as many of `spans` as there is room for and empties the vector.
  void Return(std::vector<Span>& spans);
  size_t free_spans() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::vector<Span> free_;  // guarded by mu_
};

}  // namespace zerotrace
