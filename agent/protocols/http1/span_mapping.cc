#include "agent/protocols/http1/span_mapping.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "agent/model/printable_text.h"
#include "agent/model/semconv.h"
#include "agent/protocols/http1/http_method.h"
#include "agent/protocols/http1/query_redaction.h"
#include "agent/protocols/http1/request_target.h"
#include "agent/protocols/http1/span_name.h"
#include "agent/protocols/network_attributes.h"

namespace zerotrace::http1 {
namespace {

namespace sc = semconv;

// Caps keep one odd request from producing a megabyte-sized span.
constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxHostBytes = 255;
constexpr size_t kMaxUserAgentBytes = 512;
constexpr size_t kMaxMethodBytes = 32;

void AppendHost(std::string_view host, std::string& out) {
  bool ipv6_literal = host.find(':') != std::string_view::npos;
  if (ipv6_literal) out += '[';
  AppendPrintable(host, kMaxHostBytes, out);
  if (ipv6_literal) out += ']';
}

void AppendNumber(int value, std::string& out) {
  char buf[16];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

}  // namespace

void DescribeExchange(const Request& req, const Response& response, const ConnectionInfo& conn,
                      const SpanMappingOptions& options, Span& span, AttributeWriter& w) {
  const int status = response.status_code;
  const bool client = conn.role == ConnectionRole::kClient;
  BuildSpanName(req.method, req.target, span.name);
  span.status = status >= (client ? 400 : 500) ? StatusCode::kError : StatusCode::kUnset;
  span.status_message.clear();  // semconv: the status code already says why

  if (IsKnownHttpMethod(req.method)) {
    w.String(sc::kHttpRequestMethod, req.method);
  } else {
    w.String(sc::kHttpRequestMethod, sc::kOtherMethod);
    if (!req.method.empty())
      AppendPrintable(req.method, kMaxMethodBytes, w.String(sc::kHttpRequestMethodOriginal));
  }

  const RequestTarget target = SplitRequestTarget(req.target);
  const std::string_view scheme = conn.tls ? "https" : "http";
  const uint16_t default_port = conn.tls ? 443 : 80;
  if (!target.path.empty()) AppendPercentEscaped(target.path, kMaxUrlBytes, w.String(sc::kUrlPath));
  if (!target.query.empty())
    AppendQuery(target.query, options.redact_query_values, kMaxUrlBytes, w.String(sc::kUrlQuery));
  w.String(sc::kUrlScheme, scheme);
  if (status > 0) w.Int(sc::kHttpResponseStatusCode, status);

  // The origin the request was addressed to: an absolute-form target's
  // authority overrides Host (RFC 9112 section 3.2.2); without either, the
  // socket's server end.
  std::optional<HostPort> origin;
  if (!target.authority.empty()) origin = ParseAuthority(target.authority);
  if (!origin && !req.host.empty()) origin = ParseAuthority(req.host);
  std::string_view server_host;
  uint16_t server_port = 0;
  if (origin) {
    server_host = origin->host;
    server_port = origin->port != 0 ? origin->port : default_port;
  } else if (client) {
    server_host = conn.peer_address;
    server_port = conn.peer_port;
  } else {
    server_host = conn.local_address;
    server_port = conn.local_port;
  }
  if (!server_host.empty()) AppendPrintable(server_host, kMaxHostBytes, w.String(sc::kServerAddress));
  if (server_port != 0) w.Int(sc::kServerPort, server_port);

  if (!client) {
    if (!conn.peer_address.empty()) w.String(sc::kClientAddress, conn.peer_address);
    if (conn.peer_port != 0) w.Int(sc::kClientPort, conn.peer_port);
  }
  const std::string& version = req.version.empty() ? response.version : req.version;
  if (!version.empty()) AppendPrintable(version, 8, w.String(sc::kNetworkProtocolVersion));
  if (!req.user_agent.empty())
    AppendPrintable(req.user_agent, kMaxUserAgentBytes, w.String(sc::kUserAgentOriginal));
  WriteNetworkAttributes(conn, w);

  if (client && !server_host.empty()) {
    std::string& full = w.String(sc::kUrlFull);
    full.append(scheme);
    full += "://";
    AppendHost(server_host, full);
    if (server_port != 0 && server_port != default_port) {
      full += ':';
      AppendNumber(server_port, full);
    }
    // Only origin-form and absolute-form paths belong in a URL ("*" and
    // CONNECT's authority-form do not).
    if (target.path.starts_with('/')) AppendPercentEscaped(target.path, kMaxUrlBytes, full);
    if (!target.query.empty()) {
      full += '?';
      AppendQuery(target.query, options.redact_query_values, kMaxUrlBytes, full);
    }
  }

  if (span.status == StatusCode::kError) AppendNumber(status, w.String(sc::kErrorType));
}

}  // namespace zerotrace::http1
