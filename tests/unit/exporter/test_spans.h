// Spans shaped like the ones the span builder produces for HTTP traffic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "agent/model/span.h"

namespace zerotrace::testing {

inline std::shared_ptr<const Resource> MakeResource(uint32_t pid, std::string service) {
  auto resource = std::make_shared<Resource>();
  resource->pid = pid;
  resource->service_name = service;
  resource->attributes = {{"service.name", service},
                          {"process.pid", static_cast<int64_t>(pid)},
                          {"host.name", std::string("node-1")}};
  return resource;
}

// Ids whose bytes are seed, seed+1, ...: easy to write as hex in a test.
inline TraceId MakeTraceId(uint8_t seed) {
  TraceId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed + i);
  return id;
}
inline SpanId MakeSpanId(uint8_t seed) {
  SpanId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed + i);
  return id;
}

inline constexpr uint64_t kT0 = 1'700'000'000'000'000'000;  // an ordinary unix time in ns

// A server span with the ~10 attributes of a typical HTTP request.
inline Span MakeHttpSpan(uint8_t trace_seed, uint8_t span_seed, std::shared_ptr<const Resource> resource,
                         std::string name = "GET /users/{id}", uint64_t start_ns = kT0,
                         uint64_t duration_ns = 12'500'000, int64_t status_code = 200) {
  Span span;
  span.trace_id = MakeTraceId(trace_seed);
  span.span_id = MakeSpanId(span_seed);
  span.name = std::move(name);
  span.kind = SpanKind::kServer;
  span.start_unix_ns = start_ns;
  span.end_unix_ns = start_ns + duration_ns;
  span.status = status_code >= 500 ? StatusCode::kError : StatusCode::kUnset;
  span.attributes = {
      {"http.request.method", std::string("GET")},
      {"url.path", std::string("/users/42")},
      {"url.scheme", std::string("http")},
      {"http.route", std::string("/users/{id}")},
      {"http.response.status_code", status_code},
      {"server.address", std::string("10.0.0.7")},
      {"server.port", int64_t{8080}},
      {"client.address", std::string("10.0.0.9")},
      {"network.protocol.version", std::string("1.1")},
      {"user_agent.original", std::string("curl/7.88.1")},
  };
  span.resource = std::move(resource);
  return span;
}

}  // namespace zerotrace::testing
