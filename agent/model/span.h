// The span model every exporter consumes. Built by SpanBuilder from a paired
// request/response; carries everything an OTLP span needs, nothing more.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace zerotrace {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

// Values mirror OTLP's SpanKind and Status.StatusCode enums.
enum class SpanKind : int { kUnspecified = 0, kInternal = 1, kServer = 2, kClient = 3 };
enum class StatusCode : int { kUnset = 0, kOk = 1, kError = 2 };

using AttributeValue = std::variant<std::string, int64_t, bool, double>;

struct Attribute {
  std::string key;
  AttributeValue value;
};

// Who produced the spans: one Resource per traced process.
struct Resource {
  uint32_t pid = 0;
  std::string service_name;
  std::vector<Attribute> attributes;  // includes service.name
};

struct Span {
  TraceId trace_id{};
  SpanId span_id{};
  SpanId parent_span_id{};  // all zero: a root span
  std::string trace_state;
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t start_unix_ns = 0;
  uint64_t end_unix_ns = 0;
  StatusCode status = StatusCode::kUnset;
  std::string status_message;
  std::vector<Attribute> attributes;
  std::shared_ptr<const Resource> resource;

  bool has_parent() const {
    for (uint8_t b : parent_span_id)
      if (b != 0) return true;
    return false;
  }
};

}  // namespace zerotrace
