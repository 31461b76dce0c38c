// What the batch span processor hands its batches to. The retrying OTLP
// exporter is the real one; tests substitute their own.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>

#include "agent/model/span.h"

namespace zerotrace::otlp {

struct ExportResult {
  size_t failed_spans = 0;    // not delivered: retries ran out, or a final error
  size_t rejected_spans = 0;  // delivered, but the receiver said it dropped them
  size_t retries = 0;         // attempts made after the first
};

class SpanBatchExporter {
 public:
  virtual ~SpanBatchExporter() = default;
  // Sends one batch, retrying as needed, giving up after `timeout` overall.
  // Called from one thread only.
  virtual ExportResult Export(std::span<const Span> batch, std::chrono::milliseconds timeout) = 0;
};

}  // namespace zerotrace::otlp
