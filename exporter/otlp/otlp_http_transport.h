// OTLP/HTTP: a batch encoded as binary protobuf or as OTLP JSON, optionally
// gzip-compressed, POSTed to the traces URL. Classifies each answer the way
// the OTLP specification says a client must: 2xx delivered (maybe with a
// partial success), 429/502/503/504 and connection failures worth a retry
// (with the server's Retry-After), anything else final.
#pragma once

#include <string>

#include "exporter/otlp/http_post_client.h"
#include "exporter/otlp/otlp_encoder.h"
#include "exporter/otlp/otlp_settings.h"
#include "exporter/otlp/otlp_transport.h"

namespace zerotrace::otlp {

class OtlpHttpTransport final : public OtlpTransport {
 public:
  // settings.protocol must be kHttpProtobuf or kHttpJson; settings.endpoint
  // is the full traces URL.
  explicit OtlpHttpTransport(const OtlpSettings& settings);

  void Prepare(std::span<const Span> batch) override;
  SendOutcome Send(std::chrono::milliseconds timeout) override;
  std::string Describe() const override;

 private:
  SendOutcome Classify(const HttpPostResult& result) const;
  SendOutcome ReadPartialSuccess(const HttpPostResult& result) const;

  const bool json_;
  const bool gzip_;
  HttpPostClient client_;
  ExportTraceServiceRequest request_;  // reused across batches (protobuf)
  std::string encoded_;                // reused across batches
  std::string compressed_;             // reused across batches (gzip)
  bool prepared_ok_ = false;           // false if compression failed
  std::string prepare_error_;
};

}  // namespace zerotrace::otlp
