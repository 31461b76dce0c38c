// Spans → ExportTraceServiceRequest in the OTLP/HTTP JSON encoding
// (Content-Type: application/json). The same request otlp_encoder.h builds
// for protobuf, written as the OTLP spec's JSON mapping: proto3 JSON with
// lowerCamelCase names, except that trace/span ids are lower-case hex (not
// base64) and enums are integers. 64-bit integers are decimal strings and
// fields holding their default value are left out.
#pragma once

#include <span>
#include <string>

#include "agent/model/span.h"

namespace zerotrace::otlp {

// Replaces the contents of *out with the request for `spans`, grouped the
// way EncodeExportRequest groups them (one resourceSpans per Resource, in
// order of first appearance; one scopeSpans "zerotrace" inside each).
//
// Pass the same string for every batch: its capacity is kept, so
// steady-state encoding allocates little.
void EncodeExportRequestJson(std::span<const Span> spans, std::string* out);

}  // namespace zerotrace::otlp
