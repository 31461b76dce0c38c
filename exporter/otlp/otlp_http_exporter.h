// OTLP/HTTP with binary protobuf bodies: encodes a batch and POSTs it to the
// traces URL. Failures are counted by the caller and reported here in at
// most one warning line per 10 s, so a collector that is down never floods
// the log or stops the agent.
#pragma once

#include <string>
#include <vector>

#include "exporter/otlp/http_post_client.h"
#include "exporter/otlp/otlp_encoder.h"
#include "exporter/otlp/span_batch_exporter.h"
#include "exporter/warning_throttle.h"

namespace zerotrace::otlp {

class OtlpHttpExporter final : public SpanBatchExporter {
 public:
  // `extra_headers`: e.g. authentication for a hosted back-end.
  explicit OtlpHttpExporter(std::string traces_url, std::vector<HttpHeader> extra_headers = {});

  ExportResult Export(std::span<const Span> batch, std::chrono::milliseconds timeout) override;

 private:
  void WarnFailure(size_t spans, const HttpPostResult& result);

  HttpPostClient client_;
  ExportTraceServiceRequest request_;  // reused across batches
  std::string body_;                   // reused across batches
  WarningThrottle warnings_;
  bool failing_ = false;  // to say once when the endpoint comes back
};

}  // namespace zerotrace::otlp
