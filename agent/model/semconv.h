// OpenTelemetry semantic-convention keys used by the protocols' span mappings
// and the process registry (HTTP, database and resource conventions).
#pragma once

#include <string_view>

namespace zerotrace::semconv {

// Span attributes.
inline constexpr std::string_view kHttpRequestMethod = "http.request.method";
inline constexpr std::string_view kHttpRequestMethodOriginal = "http.request.method_original";
inline constexpr std::string_view kHttpResponseStatusCode = "http.response.status_code";
inline constexpr std::string_view kUrlPath = "url.path";
inline constexpr std::string_view kUrlQuery = "url.query";
inline constexpr std::string_view kUrlScheme = "url.scheme";
inline constexpr std::string_view kUrlFull = "url.full";
inline constexpr std::string_view kServerAddress = "server.address";
inline constexpr std::string_view kServerPort = "server.port";
inline constexpr std::string_view kClientAddress = "client.address";
inline constexpr std::string_view kClientPort = "client.port";
inline constexpr std::string_view kNetworkPeerAddress = "network.peer.address";
inline constexpr std::string_view kNetworkPeerPort = "network.peer.port";
inline constexpr std::string_view kNetworkProtocolVersion = "network.protocol.version";
inline constexpr std::string_view kNetworkTransport = "network.transport";
inline constexpr std::string_view kNetworkType = "network.type";
inline constexpr std::string_view kUserAgentOriginal = "user_agent.original";
inline constexpr std::string_view kErrorType = "error.type";

// Database client spans (semconv 1.33+ db.* names).
inline constexpr std::string_view kDbSystemName = "db.system.name";
inline constexpr std::string_view kDbOperationName = "db.operation.name";
inline constexpr std::string_view kDbNamespace = "db.namespace";
inline constexpr std::string_view kDbQueryText = "db.query.text";
inline constexpr std::string_view kDbResponseStatusCode = "db.response.status_code";

inline constexpr std::string_view kOtherMethod = "_OTHER";
inline constexpr std::string_view kRedacted = "REDACTED";

// Resource attributes.
inline constexpr std::string_view kServiceName = "service.name";
inline constexpr std::string_view kServiceInstanceId = "service.instance.id";
inline constexpr std::string_view kProcessPid = "process.pid";
inline constexpr std::string_view kProcessExecutableName = "process.executable.name";
inline constexpr std::string_view kProcessExecutablePath = "process.executable.path";
inline constexpr std::string_view kHostName = "host.name";
inline constexpr std::string_view kTelemetrySdkName = "telemetry.sdk.name";
inline constexpr std::string_view kTelemetrySdkLanguage = "telemetry.sdk.language";
inline constexpr std::string_view kTelemetrySdkVersion = "telemetry.sdk.version";
inline constexpr std::string_view kTelemetryDistroName = "telemetry.distro.name";
inline constexpr std::string_view kTelemetryDistroVersion = "telemetry.distro.version";

inline constexpr std::string_view kUnknownService = "unknown_service";

}  // namespace zerotrace::semconv
