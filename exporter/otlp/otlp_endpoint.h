// Where OTLP/HTTP trace exports go, by the rules of the OTLP exporter
// specification (the same environment variables every OpenTelemetry SDK
// reads, so one collector configuration serves all of them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "exporter/otlp/http_header.h"

namespace zerotrace::otlp {

// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the full URL and is used as-is;
// OTEL_EXPORTER_OTLP_ENDPOINT is a base URL that gets "v1/traces" appended
// as a path segment. Empty arguments count as unset; returns "" when both
// are.
std::string ResolveTracesUrl(std::string_view traces_endpoint, std::string_view endpoint);

// Parses the OTEL_EXPORTER_OTLP_HEADERS format: "key1=value1,key2=value2",
// values percent-encoded. Malformed entries are skipped.
std::vector<HttpHeader> ParseHeaderList(std::string_view list);

}  // namespace zerotrace::otlp
