// The Prometheus text exposition format, version 0.0.4: metric families in,
// the text a /metrics endpoint serves out. Knows the format only (HELP and
// TYPE lines, label syntax, escaping); which metrics the agent has is
// agent_metrics.h's business.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zerotrace::telemetry {

inline constexpr char kPrometheusTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge };

struct MetricLabel {
  std::string name;   // [a-zA-Z_][a-zA-Z0-9_]*
  std::string value;  // any UTF-8; escaped on output
};

// Every value the agent exports is a non-negative integer (counts, bytes,
// 0/1 states); keeping them integral avoids printing 1.8e+19 for a counter.
struct MetricSample {
  std::vector<MetricLabel> labels;
  uint64_t value = 0;
};

struct MetricFamily {
  std::string name;  // full sample name: counters end in "_total"
  std::string help;  // one sentence; escaped on output
  MetricType type = MetricType::kGauge;
  std::vector<MetricSample> samples;  // a family without samples is still described
};

// "# HELP", "# TYPE" and one line per sample for each family, in order.
std::string RenderPrometheusText(const std::vector<MetricFamily>& families);

// Label values escape backslash, double quote and line feed; HELP text
// escapes backslash and line feed (the format's two rules).
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelpText(std::string_view help);

}  // namespace zerotrace::telemetry
