// An HTTP/1.x exchange as a span: name, status and the HTTP semantic
// conventions (server or client side by the connection's role).
#pragma once

#include "agent/connection/exchange.h"
#include "agent/protocols/http1/types.h"

namespace zerotrace::http1 {

void DescribeExchange(const Request& request, const Response& response,
                      const ConnectionInfo& connection, const SpanMappingOptions& options,
                      Span& span, AttributeWriter& attributes);

// The ExchangeDetails a session hands over with each pair: points at the
// pair only during the OnExchange callback.
class SpanMapping final : public ExchangeDetails {
 public:
  void Point(const Request& request, const Response& response) {
    request_ = &request;
    response_ = &response;
  }
  void DescribeSpan(const Exchange& exchange, const SpanMappingOptions& options, Span& span,
                    AttributeWriter& attributes) const override {
    DescribeExchange(*request_, *response_, exchange.connection, options, span, attributes);
  }

 private:
  const Request* request_ = nullptr;
  const Response* response_ = nullptr;
};

}  // namespace zerotrace::http1
