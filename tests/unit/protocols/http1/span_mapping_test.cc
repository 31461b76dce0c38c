// HTTP/1.x exchanges through the span builder and the HTTP span mapping:
// what a user sees of an HTTP request in its span.
#include "agent/protocols/http1/span_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "agent/model/ids.h"
#include "agent/span/span_builder.h"
#include "agent/model/semconv.h"

namespace zerotrace {
namespace {

namespace sc = semconv;
using ::testing::IsSubsetOf;

// A paired request and response on a connection, owned by the test.
struct HttpExchange {
  ConnectionInfo connection;
  http1::Request request;
  http1::Response response;
};

// Builds into `span` (a recycled span when it is not fresh).
void BuildInto(const SpanBuilder& builder, const HttpExchange& ex,
               std::shared_ptr<const Resource> resource, Span& span) {
  http1::SpanMapping mapping;
  mapping.Point(ex.request, ex.response);
  const Exchange exchange{.connection = ex.connection,
                          .request_start = ex.request.first_chunk,
                          .response_end = ex.response.last_chunk,
                          .propagated = {ex.request.traceparent, ex.request.tracestate},
                          .details = mapping};
  builder.BuildInto(exchange, std::move(resource), span);
}

Span BuildWith(const SpanBuilder& builder, const HttpExchange& ex,
               std::shared_ptr<const Resource> resource = nullptr) {
  Span span;
  BuildInto(builder, ex, std::move(resource), span);
  return span;
}

constexpr int64_t kOffset = 1'700'000'000'000'000'000;  // unix ns at monotonic 0
constexpr std::string_view kTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// A typical exchange seen from a server: request read at 1000..5000 ns,
// response written at 9000..10000 ns (monotonic).
HttpExchange ServerExchange() {
  HttpExchange ex;
  ex.connection.role = ConnectionRole::kServer;
  ex.connection.local_address = "10.0.0.1";
  ex.connection.local_port = 8080;
  ex.connection.peer_address = "10.0.0.2";
  ex.connection.peer_port = 54321;
  ex.request.method = "GET";
  ex.request.target = "/users/42";
  ex.request.host = "api.example.com:8080";
  ex.request.version = "1.1";
  ex.request.first_chunk = {1000, 5000, 1};
  ex.request.last_chunk = {5100, 5200, 1};
  ex.response.version = "1.1";
  ex.response.status_code = 200;
  ex.response.first_chunk = {9000, 9500, 1};
  ex.response.last_chunk = {9600, 10000, 1};
  return ex;
}

// The same from the calling side: the process connected to 10.0.0.1:8080.
HttpExchange ClientExchange() {
  HttpExchange ex = ServerExchange();
  ex.connection.role = ConnectionRole::kClient;
  ex.connection.local_address = "10.0.0.2";
  ex.connection.local_port = 54321;
  ex.connection.peer_address = "10.0.0.1";
  ex.connection.peer_port = 8080;
  return ex;
}

const AttributeValue* Find(const Span& span, std::string_view key) {
  const AttributeValue* found = nullptr;
  for (const Attribute& a : span.attributes) {
    if (a.key == key) {
      EXPECT_EQ(found, nullptr) << "duplicate attribute " << key;
      found = &a.value;
    }
  }
  return found;
}

bool Has(const Span& span, std::string_view key) { return Find(span, key) != nullptr; }

std::string Str(const Span& span, std::string_view key) {
  const AttributeValue* v = Find(span, key);
  if (v == nullptr) return "<absent>";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return "<not a string>";
}

int64_t Int(const Span& span, std::string_view key) {
  const AttributeValue* v = Find(span, key);
  if (v == nullptr) return -1;
  if (const auto* i = std::get_if<int64_t>(v)) return *i;
  return -2;
}

// Every string attribute value and the name, for "this never leaks" checks.
std::string AllStringValues(const Span& span) {
  std::string all = span.name;
  for (const Attribute& a : span.attributes) {
    if (const auto* s = std::get_if<std::string>(&a.value)) {
      all += '\n';
      all += *s;
    }
  }
  return all;
}

Span Build(const HttpExchange& ex, SpanBuilderOptions options = {}) {
  return BuildWith(SpanBuilder(kOffset, options), ex);
}

// ---- kind and name ----

TEST(SpanBuilder, KindFollowsConnectionRole) {
  EXPECT_EQ(Build(ServerExchange()).kind, SpanKind::kServer);
  EXPECT_EQ(Build(ClientExchange()).kind, SpanKind::kClient);
  HttpExchange unknown = ServerExchange();
  unknown.connection.role = ConnectionRole::kUnknown;
  EXPECT_EQ(Build(unknown).kind, SpanKind::kUnspecified);
}

TEST(SpanBuilder, NameIsTemplatedMethodAndPath) {
  HttpExchange ex = ServerExchange();
  ex.request.target = "/users/42/orders?page=2";
  EXPECT_EQ(Build(ex).name, "GET /users/{id}/orders");
}

TEST(SpanBuilder, ResourceIsAttached) {
  auto resource = std::make_shared<const Resource>(Resource{7, "svc", {}});
  Span span = BuildWith(SpanBuilder(kOffset), ServerExchange(), resource);
  EXPECT_EQ(span.resource, resource);
}

// ---- timing ----

TEST(SpanBuilder, ServerSpanStartsWhenTheRequestReadReturnedAndEndsWithLastResponseWrite) {
  Span span = Build(ServerExchange());
  EXPECT_EQ(span.start_unix_ns, static_cast<uint64_t>(kOffset) + 5000);
  EXPECT_EQ(span.end_unix_ns, static_cast<uint64_t>(kOffset) + 10000);
}

TEST(SpanBuilder, ClientSpanStartsWhenTheRequestWriteBegan) {
  Span span = Build(ClientExchange());
  EXPECT_EQ(span.start_unix_ns, static_cast<uint64_t>(kOffset) + 1000);
  EXPECT_EQ(span.end_unix_ns, static_cast<uint64_t>(kOffset) + 10000);
}

TEST(SpanBuilder, EndNeverPrecedesStart) {
  HttpExchange ex = ServerExchange();
  ex.response.last_chunk = {3000, 4000, 1};  // before the request read returned
  Span span = Build(ex);
  EXPECT_EQ(span.end_unix_ns, span.start_unix_ns);
}

TEST(SpanBuilder, MissingTimestampFallsBackToTheChunksOtherStamp) {
  HttpExchange ex = ServerExchange();
  ex.request.first_chunk.exit_ns = 0;
  ex.response.last_chunk.exit_ns = 0;
  Span span = Build(ex);
  EXPECT_EQ(span.start_unix_ns, static_cast<uint64_t>(kOffset) + 1000);
  EXPECT_EQ(span.end_unix_ns, static_cast<uint64_t>(kOffset) + 9600);
}

TEST(SpanBuilder, ClockOffsetCanBeUpdated) {
  SpanBuilder builder(kOffset);
  builder.set_monotonic_to_unix_offset_ns(kOffset + 1'000'000);
  EXPECT_EQ(builder.monotonic_to_unix_offset_ns(), kOffset + 1'000'000);
  Span span = BuildWith(builder, ServerExchange());
  EXPECT_EQ(span.start_unix_ns, static_cast<uint64_t>(kOffset) + 1'000'000 + 5000);
}

// ---- attributes ----

TEST(SpanBuilder, KnownMethodIsRecordedAsIs) {
  HttpExchange ex = ServerExchange();
  ex.request.method = "PATCH";
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kHttpRequestMethod), "PATCH");
  EXPECT_FALSE(Has(span, sc::kHttpRequestMethodOriginal));
}

TEST(SpanBuilder, UnknownMethodIsOtherWithOriginal) {
  HttpExchange ex = ServerExchange();
  ex.request.method = "PROPFIND";
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kHttpRequestMethod), "_OTHER");
  EXPECT_EQ(Str(span, sc::kHttpRequestMethodOriginal), "PROPFIND");
  EXPECT_EQ(span.name, "HTTP");
}

TEST(SpanBuilder, UrlPathIsThePathOnly) {
  HttpExchange ex = ServerExchange();
  ex.request.target = "/users/42?token=abc#frag";
  EXPECT_EQ(Str(Build(ex), sc::kUrlPath), "/users/42");  // not templated: that is the name's job
  ex.request.target = "http://other.example/p/q?x=1";
  EXPECT_EQ(Str(Build(ex), sc::kUrlPath), "/p/q");
}

TEST(SpanBuilder, UrlQueryOnlyWhenThereIsOne) {
  HttpExchange ex = ServerExchange();
  EXPECT_FALSE(Has(Build(ex), sc::kUrlQuery));
  ex.request.target = "/search?";
  EXPECT_FALSE(Has(Build(ex), sc::kUrlQuery));
}

TEST(SpanBuilder, UrlQueryValuesAreRedactedByDefault) {
  HttpExchange ex = ServerExchange();
  ex.request.target = "/search?q=secret&api_key=XYZ";
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kUrlQuery), "q=REDACTED&api_key=REDACTED");
  EXPECT_EQ(AllStringValues(span).find("XYZ"), std::string::npos);
}

TEST(SpanBuilder, UrlQueryValuesKeptWhenRedactionIsOff) {
  HttpExchange ex = ClientExchange();
  ex.request.target = "/search?q=shoes";
  Span span = Build(ex, {.redact_query_values = false});
  EXPECT_EQ(Str(span, sc::kUrlQuery), "q=shoes");
  EXPECT_EQ(Str(span, sc::kUrlFull), "http://api.example.com:8080/search?q=shoes");
}

TEST(SpanBuilder, SchemeFollowsTls) {
  HttpExchange ex = ServerExchange();
  EXPECT_EQ(Str(Build(ex), sc::kUrlScheme), "http");
  ex.connection.tls = true;
  EXPECT_EQ(Str(Build(ex), sc::kUrlScheme), "https");
}

TEST(SpanBuilder, StatusCodeIsAnInt) {
  HttpExchange ex = ServerExchange();
  ex.response.status_code = 204;
  EXPECT_EQ(Int(Build(ex), sc::kHttpResponseStatusCode), 204);
  ex.response.status_code = 0;  // no status line was parsed
  EXPECT_FALSE(Has(Build(ex), sc::kHttpResponseStatusCode));
}

TEST(SpanBuilder, ServerAddressFromHostHeader) {
  Span span = Build(ServerExchange());
  EXPECT_EQ(Str(span, sc::kServerAddress), "api.example.com");
  EXPECT_EQ(Int(span, sc::kServerPort), 8080);
}

TEST(SpanBuilder, HostWithoutPortGetsTheSchemesDefaultPort) {
  HttpExchange ex = ServerExchange();
  ex.request.host = "api.example.com";
  EXPECT_EQ(Int(Build(ex), sc::kServerPort), 80);
  ex.connection.tls = true;
  EXPECT_EQ(Int(Build(ex), sc::kServerPort), 443);
}

TEST(SpanBuilder, ServerSideWithoutHostUsesLocalAddress) {
  HttpExchange ex = ServerExchange();
  ex.request.host.clear();
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kServerAddress), "10.0.0.1");
  EXPECT_EQ(Int(span, sc::kServerPort), 8080);
}

TEST(SpanBuilder, ClientSideWithoutHostUsesPeerAddress) {
  HttpExchange ex = ClientExchange();
  ex.request.host.clear();
  ex.connection.peer_port = 9999;
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kServerAddress), "10.0.0.1");
  EXPECT_EQ(Int(span, sc::kServerPort), 9999);
}

TEST(SpanBuilder, UnparsableHostFallsBackToSocketAddress) {
  HttpExchange ex = ClientExchange();
  ex.request.host = "api.example.com:notaport";
  EXPECT_EQ(Str(Build(ex), sc::kServerAddress), "10.0.0.1");
}

TEST(SpanBuilder, AbsoluteFormAuthorityOverridesHost) {
  HttpExchange ex = ClientExchange();  // e.g. a request sent through a forward proxy
  ex.request.target = "http://origin.example:81/x";
  ex.request.host = "proxy.example:3128";
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kServerAddress), "origin.example");
  EXPECT_EQ(Int(span, sc::kServerPort), 81);
  EXPECT_EQ(Str(span, sc::kUrlFull), "http://origin.example:81/x");
}

TEST(SpanBuilder, ClientAddressOnServerSpansOnly) {
  Span server = Build(ServerExchange());
  EXPECT_EQ(Str(server, sc::kClientAddress), "10.0.0.2");
  EXPECT_EQ(Int(server, sc::kClientPort), 54321);
  Span client = Build(ClientExchange());
  EXPECT_FALSE(Has(client, sc::kClientAddress));
  EXPECT_FALSE(Has(client, sc::kClientPort));
}

TEST(SpanBuilder, NetworkPeerIsTheOtherEndOfTheSocket) {
  Span server = Build(ServerExchange());
  EXPECT_EQ(Str(server, sc::kNetworkPeerAddress), "10.0.0.2");
  EXPECT_EQ(Int(server, sc::kNetworkPeerPort), 54321);
  Span client = Build(ClientExchange());
  EXPECT_EQ(Str(client, sc::kNetworkPeerAddress), "10.0.0.1");
  EXPECT_EQ(Int(client, sc::kNetworkPeerPort), 8080);
}

TEST(SpanBuilder, ProtocolVersion) {
  HttpExchange ex = ServerExchange();
  EXPECT_EQ(Str(Build(ex), sc::kNetworkProtocolVersion), "1.1");
  ex.request.version = "1.0";
  EXPECT_EQ(Str(Build(ex), sc::kNetworkProtocolVersion), "1.0");
}

TEST(SpanBuilder, UserAgentOnlyWhenPresent) {
  HttpExchange ex = ServerExchange();
  EXPECT_FALSE(Has(Build(ex), sc::kUserAgentOriginal));
  ex.request.user_agent = "curl/8.4.0";
  EXPECT_EQ(Str(Build(ex), sc::kUserAgentOriginal), "curl/8.4.0");
}

TEST(SpanBuilder, TransportIsTcpAndTypeFollowsTheAddressFamily) {
  HttpExchange ex = ServerExchange();
  Span v4 = Build(ex);
  EXPECT_EQ(Str(v4, sc::kNetworkTransport), "tcp");
  EXPECT_EQ(Str(v4, sc::kNetworkType), "ipv4");
  ex.connection.ipv6 = true;
  ex.connection.peer_address = "2001:db8::2";
  EXPECT_EQ(Str(Build(ex), sc::kNetworkType), "ipv6");
}

TEST(SpanBuilder, Ipv4MappedPeerOnAnIpv6SocketIsIpv4) {
  HttpExchange ex = ServerExchange();
  ex.connection.ipv6 = true;  // AF_INET6 socket, peer shown as 10.0.0.2
  EXPECT_EQ(Str(Build(ex), sc::kNetworkType), "ipv4");
}

TEST(SpanBuilder, ServerSpansHaveNoRouteAndNoFullUrl) {
  Span span = Build(ServerExchange());
  EXPECT_FALSE(Has(span, "http.route"));
  EXPECT_FALSE(Has(span, sc::kUrlFull));
}

TEST(SpanBuilder, ClientFullUrlHasRedactedQuery) {
  HttpExchange ex = ClientExchange();
  ex.request.target = "/users/42?token=abc&x=1";
  EXPECT_EQ(Str(Build(ex), sc::kUrlFull), "http://api.example.com:8080/users/42?token=REDACTED&x=REDACTED");
}

TEST(SpanBuilder, ClientFullUrlOmitsTheDefaultPort) {
  HttpExchange ex = ClientExchange();
  ex.request.host = "api.example.com:443";
  ex.connection.tls = true;
  EXPECT_EQ(Str(Build(ex), sc::kUrlFull), "https://api.example.com/users/42");
  ex.request.host = "api.example.com";
  EXPECT_EQ(Str(Build(ex), sc::kUrlFull), "https://api.example.com/users/42");
}

TEST(SpanBuilder, ClientFullUrlBracketsIpv6Peer) {
  HttpExchange ex = ClientExchange();
  ex.request.host.clear();
  ex.connection.ipv6 = true;
  ex.connection.peer_address = "::1";
  ex.connection.peer_port = 8000;
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kUrlFull), "http://[::1]:8000/users/42");
  EXPECT_EQ(Str(span, sc::kServerAddress), "::1");
}

TEST(SpanBuilder, ClientFullUrlNeverCarriesUserinfo) {
  HttpExchange ex = ClientExchange();
  ex.request.target = "http://alice:s3cret@origin.example/x";
  Span span = Build(ex);
  EXPECT_EQ(Str(span, sc::kUrlFull), "http://origin.example/x");
  EXPECT_EQ(AllStringValues(span).find("s3cret"), std::string::npos);
}

TEST(SpanBuilder, OnlySemconvAttributeKeysAreEmitted) {
  // Guards against header values (Authorization, Cookie, ...) creeping in.
  HttpExchange ex = ClientExchange();
  ex.request.target = "/a?b=c";
  ex.request.user_agent = "ua";
  ex.request.method = "BREW";
  ex.response.status_code = 503;
  std::set<std::string> keys;
  for (const Attribute& a : Build(ex).attributes) keys.insert(a.key);
  for (const Attribute& a : Build(ServerExchange()).attributes) keys.insert(a.key);
  std::set<std::string> allowed;
  for (std::string_view k :
       {sc::kHttpRequestMethod, sc::kHttpRequestMethodOriginal, sc::kHttpResponseStatusCode, sc::kUrlPath,
        sc::kUrlQuery, sc::kUrlScheme, sc::kUrlFull, sc::kServerAddress, sc::kServerPort, sc::kClientAddress,
        sc::kClientPort, sc::kNetworkPeerAddress, sc::kNetworkPeerPort, sc::kNetworkProtocolVersion,
        sc::kNetworkTransport, sc::kNetworkType, sc::kUserAgentOriginal, sc::kErrorType})
    allowed.emplace(k);
  EXPECT_THAT(keys, IsSubsetOf(allowed));
}

// ---- status ----

TEST(SpanBuilder, ServerStatusIsErrorFrom500) {
  HttpExchange ex = ServerExchange();
  ex.response.status_code = 500;
  Span span = Build(ex);
  EXPECT_EQ(span.status, StatusCode::kError);
  EXPECT_EQ(Str(span, sc::kErrorType), "500");
  EXPECT_TRUE(span.status_message.empty());
}

TEST(SpanBuilder, ServerStatusIsUnsetFor4xx) {
  HttpExchange ex = ServerExchange();
  ex.response.status_code = 404;
  Span span = Build(ex);
  EXPECT_EQ(span.status, StatusCode::kUnset);
  EXPECT_FALSE(Has(span, sc::kErrorType));
  ex.response.status_code = 499;
  EXPECT_EQ(Build(ex).status, StatusCode::kUnset);
}

TEST(SpanBuilder, ClientStatusIsErrorFrom400) {
  HttpExchange ex = ClientExchange();
  ex.response.status_code = 404;
  Span span = Build(ex);
  EXPECT_EQ(span.status, StatusCode::kError);
  EXPECT_EQ(Str(span, sc::kErrorType), "404");
  ex.response.status_code = 503;
  EXPECT_EQ(Str(Build(ex), sc::kErrorType), "503");
}

TEST(SpanBuilder, ClientStatusIsUnsetBelow400) {
  HttpExchange ex = ClientExchange();
  for (int code : {200, 301, 399}) {
    ex.response.status_code = code;
    Span span = Build(ex);
    EXPECT_EQ(span.status, StatusCode::kUnset) << code;
    EXPECT_FALSE(Has(span, sc::kErrorType)) << code;
  }
}

// ---- trace context ----

TEST(SpanBuilder, WithoutTraceparentASpanIsANewRoot) {
  HttpExchange ex = ServerExchange();
  ex.request.tracestate = "vendor=value";  // meaningless without a traceparent
  Span a = Build(ex);
  Span b = Build(ex);
  EXPECT_FALSE(IsAllZero(a.trace_id));
  EXPECT_FALSE(IsAllZero(a.span_id));
  EXPECT_FALSE(a.has_parent());
  EXPECT_TRUE(a.trace_state.empty());
  EXPECT_NE(a.trace_id, b.trace_id);
  EXPECT_NE(a.span_id, b.span_id);
}

TEST(SpanBuilder, ServerSpanJoinsTheIncomingTrace) {
  HttpExchange ex = ServerExchange();
  ex.request.traceparent = kTraceParent;
  ex.request.tracestate = " rojo=00f067aa0ba902b7 ";
  Span span = Build(ex);
  EXPECT_EQ(ToHex(span.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ToHex(span.parent_span_id), "00f067aa0ba902b7");
  EXPECT_NE(ToHex(span.span_id), "00f067aa0ba902b7");
  EXPECT_FALSE(IsAllZero(span.span_id));
  EXPECT_EQ(span.trace_state, "rojo=00f067aa0ba902b7");
}

TEST(SpanBuilder, ClientSpanTakesTheIdItsCalleeWillSeeAsParent) {
  HttpExchange ex = ClientExchange();
  ex.request.traceparent = kTraceParent;
  ex.request.tracestate = "rojo=1";
  Span span = Build(ex);
  EXPECT_EQ(ToHex(span.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ToHex(span.span_id), "00f067aa0ba902b7");
  EXPECT_FALSE(span.has_parent());
  EXPECT_EQ(span.trace_state, "rojo=1");
}

TEST(SpanBuilder, ClientAndServerOfOneCallLinkUp) {
  HttpExchange client_ex = ClientExchange();
  HttpExchange server_ex = ServerExchange();
  client_ex.request.traceparent = server_ex.request.traceparent = kTraceParent;
  Span client = Build(client_ex);
  Span server = Build(server_ex);
  EXPECT_EQ(client.trace_id, server.trace_id);
  EXPECT_EQ(server.parent_span_id, client.span_id);
}

TEST(SpanBuilder, InvalidTraceparentIsTreatedAsAbsent) {
  HttpExchange ex = ServerExchange();
  ex.request.traceparent = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
  ex.request.tracestate = "rojo=1";
  Span span = Build(ex);
  EXPECT_FALSE(span.has_parent());
  EXPECT_NE(ToHex(span.trace_id), "00000000000000000000000000000000");
  EXPECT_TRUE(span.trace_state.empty());
}

// ---- reuse ----

TEST(SpanBuilder, BuildIntoARecycledSpanLeavesNothingStale) {
  SpanBuilder builder(kOffset);
  HttpExchange rich = ClientExchange();
  rich.request.traceparent = kTraceParent;
  rich.request.tracestate = "rojo=1";
  rich.request.user_agent = "curl/8";
  rich.request.target = "/a?b=c";
  rich.request.method = "BREW";
  rich.response.status_code = 500;
  Span span;
  BuildInto(builder, rich, nullptr, span);

  HttpExchange plain = ServerExchange();
  plain.request.host.clear();
  BuildInto(builder, plain, nullptr, span);
  Span fresh = BuildWith(builder, plain);

  EXPECT_EQ(span.kind, fresh.kind);
  EXPECT_EQ(span.name, fresh.name);
  EXPECT_EQ(span.status, StatusCode::kUnset);
  EXPECT_FALSE(span.has_parent());
  EXPECT_TRUE(span.trace_state.empty());
  ASSERT_EQ(span.attributes.size(), fresh.attributes.size());
  for (size_t i = 0; i < span.attributes.size(); ++i) {
    EXPECT_EQ(span.attributes[i].key, fresh.attributes[i].key);
    EXPECT_EQ(span.attributes[i].value, fresh.attributes[i].value) << span.attributes[i].key;
  }
}

}  // namespace
}  // namespace zerotrace
