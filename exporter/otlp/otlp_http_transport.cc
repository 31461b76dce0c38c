#include "exporter/otlp/otlp_http_transport.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "exporter/otlp/gzip.h"
#include "exporter/otlp/otlp_json_encoder.h"
#include "exporter/otlp/retry_after.h"
#include "exporter/otlp/rpc_status_message.h"

namespace zerotrace::otlp {

namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

std::vector<HttpHeader> RequestHeaders(const OtlpSettings& settings) {
  std::vector<HttpHeader> headers = settings.headers;
  headers.push_back({"Content-Type", settings.protocol == OtlpProtocol::kHttpJson
                                         ? "application/json"
                                         : "application/x-protobuf"});
  if (settings.compression == OtlpCompression::kGzip) headers.push_back({"Content-Encoding", "gzip"});
  return headers;
}

// First line of a response body, bounded and printable, for a log message.
std::string Excerpt(const std::string& body) {
  std::string line = body.substr(0, std::min(body.find_first_of("\r\n"), size_t{200}));
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) c = '?';
  return line;
}

// The OTLP specification's retryable HTTP statuses.
bool IsRetryableStatus(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// Failures of the exchange itself (no HTTP answer) that a later attempt may
// not see: the collector restarting, a network blip, a timeout. A bad URL or
// an untrusted certificate will not fix itself.
bool IsTransientCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

}  // namespace

OtlpHttpTransport::OtlpHttpTransport(const OtlpSettings& settings)
    : json_(settings.protocol == OtlpProtocol::kHttpJson),
      gzip_(settings.compression == OtlpCompression::kGzip),
      client_(settings.endpoint, RequestHeaders(settings), settings.certificate_file) {}

void OtlpHttpTransport::Prepare(std::span<const Span> batch) {
  if (json_) {
    EncodeExportRequestJson(batch, &encoded_);
  } else {
    EncodeExportRequest(batch, &request_);
    request_.SerializeToString(&encoded_);
  }
  prepared_ok_ = !gzip_ || GzipCompress(encoded_, &compressed_, &prepare_error_);
}

SendOutcome OtlpHttpTransport::Send(std::chrono::milliseconds timeout) {
  if (!prepared_ok_) return SendOutcome::Permanent("gzip compression failed: " + prepare_error_);
  return Classify(client_.Post(gzip_ ? compressed_ : encoded_, timeout));
}

std::string OtlpHttpTransport::Describe() const {
  return std::string(json_ ? "OTLP/HTTP JSON" : "OTLP/HTTP protobuf") + (gzip_ ? " (gzip)" : "") +
         " to " + client_.url();
}

SendOutcome OtlpHttpTransport::Classify(const HttpPostResult& result) const {
  if (!result.completed) {
    return IsTransientCurlError(result.curl_code) ? SendOutcome::Retryable(result.error)
                                                  : SendOutcome::Permanent(result.error);
  }
  if (result.ok()) return ReadPartialSuccess(result);
  std::string why = "HTTP " + std::to_string(result.status_code);
  std::optional<std::string> status_message;
  if (result.content_type == "application/x-protobuf" || result.content_type == "application/protobuf")
    status_message = RpcStatusMessage(result.body);
  if (const std::string excerpt = Excerpt(status_message.value_or(result.body)); !excerpt.empty())
    why += ": " + excerpt;
  if (IsRetryableStatus(result.status_code))
    return SendOutcome::Retryable(std::move(why), ParseRetryAfter(result.retry_after));
  return SendOutcome::Permanent(std::move(why));
}

// A 2xx may still carry a partial success: the receiver dropped some spans.
SendOutcome OtlpHttpTransport::ReadPartialSuccess(const HttpPostResult& result) const {
  SendOutcome delivered = SendOutcome::Delivered();
  if (result.body.empty()) return delivered;
  ExportTraceServiceResponse response;
  bool parsed = false;
  if (result.content_type == "application/json") {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    parsed = google::protobuf::util::JsonStringToMessage(result.body, &response, options).ok();
  } else {
    parsed = response.ParseFromString(result.body);
  }
  if (!parsed || !response.has_partial_success()) return delivered;
  delivered.rejected_spans =
      static_cast<uint64_t>(std::max<int64_t>(response.partial_success().rejected_spans(), 0));
  delivered.rejection_message = Excerpt(response.partial_success().error_message());
  return delivered;
}

}  // namespace zerotrace::otlp
