// What the batch span processor hands its batches to. OTLP/HTTP is one
// implementation; tests substitute their own.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>

#include "agent/span/span.h"

namespace zerotrace::otlp {

struct ExportResult {
  size_t failed_spans = 0;  // spans of the batch the receiver did not take
};

class SpanBatchExporter {
 public:
  virtual ~SpanBatchExporter() = default;
  // Sends one batch, giving up after `timeout`. Called from one thread only.
  virtual ExportResult Export(std::span<const Span> batch, std::chrono::milliseconds timeout) = 0;
};

}  // namespace zerotrace::otlp
