// Records what a protocol session hands to the layers above, for unit tests:
// each exchange with its span as the protocol describes it (name, status,
// attributes), and each request start.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/connection/exchange.h"

namespace zerotrace::testing {

struct RecordedExchange {
  ConnectionInfo connection;
  ChunkTiming request_start;
  ChunkTiming response_end;
  std::string traceparent;
  std::string tracestate;
  bool self_traffic = false;
  Span span;  // name, status and attributes from the protocol's ExchangeDetails

  const AttributeValue* Attribute(std::string_view key) const {
    for (const auto& a : span.attributes)
      if (a.key == key) return &a.value;
    return nullptr;
  }
  std::string String(std::string_view key) const {
    const AttributeValue* v = Attribute(key);
    const auto* s = v ? std::get_if<std::string>(v) : nullptr;
    return s ? *s : std::string();
  }
  int64_t Int(std::string_view key) const {
    const AttributeValue* v = Attribute(key);
    const auto* i = v ? std::get_if<int64_t>(v) : nullptr;
    return i ? *i : 0;
  }
  // HTTP: the request target as url.path and url.query give it.
  std::string target() const {
    std::string query = String("url.query");
    return String("url.path") + (query.empty() ? "" : "?" + query);
  }
  int status() const { return static_cast<int>(Int("http.response.status_code")); }
};

struct RecordedRequest {
  ConnectionInfo connection;
  ChunkTiming first_chunk;
  std::string traceparent;
};

class ExchangeRecorder : public ExchangeHandler {
 public:
  void OnRequest(const RequestStart& request) override {
    requests.push_back({request.connection, request.first_chunk, std::string(request.propagated.traceparent)});
  }
  void OnExchange(const Exchange& exchange) override {
    RecordedExchange& r = exchanges.emplace_back();
    r.connection = exchange.connection;
    r.request_start = exchange.request_start;
    r.response_end = exchange.response_end;
    r.traceparent = exchange.propagated.traceparent;
    r.tracestate = exchange.propagated.tracestate;
    r.self_traffic = exchange.self_traffic;
    AttributeWriter attributes(r.span.attributes);
    exchange.details.DescribeSpan(exchange, options, r.span, attributes);
    attributes.Finish();
  }

  SpanMappingOptions options;
  std::vector<RecordedRequest> requests;
  std::vector<RecordedExchange> exchanges;
};

}  // namespace zerotrace::testing
