#include "exporter/otlp/otlp_http_exporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace zerotrace::otlp {

namespace {

std::vector<HttpHeader> WithContentType(std::vector<HttpHeader> headers) {
  headers.push_back({"Content-Type", "application/x-protobuf"});
  return headers;
}

// First line of a response body, bounded, for a log message.
std::string Excerpt(const std::string& body) {
  std::string line = body.substr(0, std::min(body.find_first_of("\r\n"), size_t{200}));
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  return line;
}

}  // namespace

OtlpHttpExporter::OtlpHttpExporter(std::string traces_url, std::vector<HttpHeader> extra_headers)
    : client_(std::move(traces_url), WithContentType(std::move(extra_headers))) {}

ExportResult OtlpHttpExporter::Export(std::span<const Span> batch, std::chrono::milliseconds timeout) {
  if (batch.empty()) return {};
  EncodeExportRequest(batch, &request_);
  request_.SerializeToString(&body_);

  const HttpPostResult result = client_.Post(body_, timeout);
  if (!result.ok()) {
    WarnFailure(batch.size(), result);
    failing_ = true;
    return {batch.size()};
  }
  if (failing_) {
    spdlog::info("OTLP export to {} works again", client_.url());
    failing_ = false;
  }

  // A 2xx may still carry a partial success: the receiver dropped some spans.
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
  if (result.body.empty() || !response.ParseFromString(result.body) || !response.has_partial_success())
    return {};
  const auto rejected = std::clamp<int64_t>(response.partial_success().rejected_spans(), 0,
                                            static_cast<int64_t>(batch.size()));
  uint64_t suppressed = 0;
  if ((rejected > 0 || !response.partial_success().error_message().empty()) &&
      warnings_.ShouldWarn(&suppressed)) {
    spdlog::warn("OTLP receiver at {} rejected {} of {} spans: {} ({} similar warnings suppressed)",
                 client_.url(), rejected, batch.size(),
                 Excerpt(response.partial_success().error_message()), suppressed);
  }
  return {static_cast<size_t>(rejected)};
}

void OtlpHttpExporter::WarnFailure(size_t spans, const HttpPostResult& result) {
  uint64_t suppressed = 0;
  if (!warnings_.ShouldWarn(&suppressed)) return;
  const std::string suppressed_note =
      suppressed > 0 ? fmt::format("; {} similar failures since the last warning", suppressed) : "";
  if (!result.completed) {
    spdlog::warn("OTLP export to {} failed: {} ({} spans lost{}; is the collector running and "
                 "reachable? next warning in 10 s at the earliest)",
                 client_.url(), result.error, spans, suppressed_note);
  } else {
    spdlog::warn("OTLP export to {} failed: HTTP {} {:?} ({} spans lost{}; check the endpoint "
                 "URL and the receiver's logs)",
                 client_.url(), result.status_code, Excerpt(result.body), spans, suppressed_note);
  }
}

}  // namespace zerotrace::otlp
