#include "agent/span/span_builder.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <utility>

#include "agent/model/attribute_writer.h"
#include "agent/model/clock_offset.h"
#include "agent/protocols/http1/http_method.h"
#include "agent/model/ids.h"
#include "agent/model/printable_text.h"
#include "agent/protocols/http1/query_redaction.h"
#include "agent/protocols/http1/request_target.h"
#include "agent/model/semconv.h"
#include "agent/protocols/http1/span_name.h"
#include "agent/model/traceparent.h"

namespace zerotrace {
namespace {

namespace sc = semconv;

// Caps keep one odd request from producing a megabyte-sized span.
constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxHostBytes = 255;
constexpr size_t kMaxUserAgentBytes = 512;
constexpr size_t kMaxMethodBytes = 32;
constexpr size_t kTypicalAttributeCount = 20;

// A monotonic instant, falling back to the chunk's other timestamp when one
// was not recorded (0).
uint64_t Pick(uint64_t preferred, uint64_t fallback) { return preferred != 0 ? preferred : fallback; }

void SetTiming(const HttpExchange& ex, bool client, int64_t offset_ns, Span& span) {
  const http1::ChunkTiming& first = ex.request.first_chunk;
  const http1::ChunkTiming& last = ex.response.last_chunk;
  // A server's read of the request may have blocked waiting for the client,
  // so its entry says nothing; the request had arrived when the read
  // returned. A client's span starts when it began to send.
  uint64_t start = client ? Pick(first.enter_ns, first.exit_ns) : Pick(first.exit_ns, first.enter_ns);
  uint64_t end = Pick(last.exit_ns, last.enter_ns);
  if (end < start) end = start;  // out-of-order CPUs' clocks, or a missing stamp
  span.start_unix_ns = MonotonicToUnixNs(start, offset_ns);
  span.end_unix_ns = MonotonicToUnixNs(end, offset_ns);
}

void SetTraceContext(const http1::Request& request, bool client, Span& span) {
  std::optional<TraceParent> tp;
  if (!request.traceparent.empty()) tp = ParseTraceParent(request.traceparent);
  if (!tp) {
    // W3C: without a valid traceparent, tracestate is discarded too.
    span.trace_id = NewTraceId();
    span.span_id = NewSpanId();
    span.parent_span_id = {};
    span.trace_state.clear();
    return;
  }
  span.trace_id = tp->trace_id;
  if (client) {
    // The program propagates context itself: the header's parent-id is the
    // id the callee will record as its parent, so it is this span's id.
    span.span_id = tp->parent_id;
    span.parent_span_id = {};
  } else {
    span.span_id = NewSpanId();
    span.parent_span_id = tp->parent_id;
  }
  span.trace_state.assign(NormalizeTraceState(request.tracestate));  // reuses capacity
}

void AppendHost(std::string_view host, std::string& out) {
  bool ipv6_literal = host.find(':') != std::string_view::npos;
  if (ipv6_literal) out += '[';
  AppendPrintable(host, kMaxHostBytes, out);
  if (ipv6_literal) out += ']';
}

void AppendPort(uint16_t port, std::string& out) {
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, port);
  out.append(buf, end);
}

std::string_view NetworkType(const ConnectionInfo& conn) {
  // An IPv4-mapped peer on an AF_INET6 socket is shown as IPv4 and travels
  // as IPv4 on the wire: the address decides, the socket family only when
  // the address is unknown.
  bool v6 = conn.peer_address.empty() ? conn.ipv6 : conn.peer_address.find(':') != std::string::npos;
  return v6 ? "ipv6" : "ipv4";
}

}  // namespace

SpanBuilder::SpanBuilder(int64_t monotonic_to_unix_offset_ns, SpanBuilderOptions options)
    : offset_ns_(monotonic_to_unix_offset_ns), options_(options) {}

Span SpanBuilder::Build(const HttpExchange& exchange, std::shared_ptr<const Resource> resource) const {
  Span span;
  BuildInto(exchange, std::move(resource), span);
  return span;
}

void SpanBuilder::BuildInto(const HttpExchange& ex, std::shared_ptr<const Resource> resource,
                            Span& span) const {
  const ConnectionInfo& conn = ex.connection;
  const http1::Request& req = ex.request;
  const int status = ex.response.status_code;
  // An unknown role gets the server rules (the request arrived on a socket
  // we did not see connect), with the kind left unspecified.
  const bool client = conn.role == ConnectionRole::kClient;
  span.kind = client ? SpanKind::kClient
                     : conn.role == ConnectionRole::kServer ? SpanKind::kServer : SpanKind::kUnspecified;
  span.resource = std::move(resource);

  SetTraceContext(req, client, span);
  SetTiming(ex, client, offset_ns_, span);
  BuildSpanName(req.method, req.target, span.name);

  if (status >= (client ? 400 : 500)) {
    span.status = StatusCode::kError;
  } else {
    span.status = StatusCode::kUnset;
  }
  span.status_message.clear();  // semconv: the status code already says why

  if (span.attributes.capacity() == 0) span.attributes.reserve(kTypicalAttributeCount);
  AttributeWriter w(span.attributes);

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
    AppendQuery(target.query, options_.redact_query_values, kMaxUrlBytes, w.String(sc::kUrlQuery));
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
  if (!conn.peer_address.empty()) w.String(sc::kNetworkPeerAddress, conn.peer_address);
  if (conn.peer_port != 0) w.Int(sc::kNetworkPeerPort, conn.peer_port);

  const std::string& version = req.version.empty() ? ex.response.version : req.version;
  if (!version.empty()) AppendPrintable(version, 8, w.String(sc::kNetworkProtocolVersion));
  if (!req.user_agent.empty())
    AppendPrintable(req.user_agent, kMaxUserAgentBytes, w.String(sc::kUserAgentOriginal));
  w.String(sc::kNetworkTransport, "tcp");
  w.String(sc::kNetworkType, NetworkType(conn));

  if (client && !server_host.empty()) {
    std::string& full = w.String(sc::kUrlFull);
    full.append(scheme);
    full += "://";
    AppendHost(server_host, full);
    if (server_port != 0 && server_port != default_port) {
      full += ':';
      AppendPort(server_port, full);
    }
    // Only origin-form and absolute-form paths belong in a URL ("*" and
    // CONNECT's authority-form do not).
    if (target.path.starts_with('/')) AppendPercentEscaped(target.path, kMaxUrlBytes, full);
    if (!target.query.empty()) {
      full += '?';
      AppendQuery(target.query, options_.redact_query_values, kMaxUrlBytes, full);
    }
  }

  if (span.status == StatusCode::kError) {
    std::string& type = w.String(sc::kErrorType);
    char buf[16];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, status);
    type.append(buf, end);
  }
  w.Finish();
}

}  // namespace zerotrace
