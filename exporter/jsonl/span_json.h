// One span as one JSON object on one line: the format the JSON-lines sink
// writes and end-to-end tests read.
//
// {"trace_id":"<32 hex>","span_id":"<16 hex>","parent_span_id":"<16 hex or "">",
//  "trace_state":"...","name":"...","kind":"SERVER|CLIENT|INTERNAL|UNSPECIFIED",
//  "start_time_unix_nano":N,"end_time_unix_nano":N,"duration_ms":F,
//  "status":"UNSET|OK|ERROR","status_message":"...",
//  "attributes":{...},"resource":{...}}
//
// Attribute values keep their type: strings, integers, booleans, numbers
// (a non-finite double, which JSON cannot express, is written as null).
#pragma once

#include <string>

#include "agent/model/span.h"

namespace zerotrace::jsonl {

// Appends the object and a trailing '\n' to *out.
void AppendSpanJsonLine(const Span& span, std::string* out);

const char* SpanKindName(SpanKind kind);
const char* StatusCodeName(StatusCode code);

}  // namespace zerotrace::jsonl
