// Prometheus text format 0.0.4 rendering; the rules are in
// https://prometheus.io/docs/instrumenting/exposition_formats/
#include "agent/telemetry/prometheus_text.h"

namespace zerotrace::telemetry {
namespace {

std::string Escape(std::string_view text, bool quote_too) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote_too) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

const char* TypeName(MetricType type) { return type == MetricType::kCounter ? "counter" : "gauge"; }

void AppendSample(const std::string& name, const MetricSample& sample, std::string* out) {
  *out += name;
  if (!sample.labels.empty()) {
    *out += '{';
    for (size_t i = 0; i < sample.labels.size(); ++i) {
      if (i > 0) *out += ',';
      *out += sample.labels[i].name;
      *out += "=\"";
      *out += EscapeLabelValue(sample.labels[i].value);
      *out += '"';
    }
    *out += '}';
  }
  *out += ' ';
  *out += std::to_string(sample.value);
  *out += '\n';
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) { return Escape(value, true); }

std::string EscapeHelpText(std::string_view help) { return Escape(help, false); }

std::string RenderPrometheusText(const std::vector<MetricFamily>& families) {
  std::string out;
  out.reserve(families.size() * 160);
  for (const MetricFamily& family : families) {
    out += "# HELP " + family.name + ' ' + EscapeHelpText(family.help) + '\n';
    out += "# TYPE " + family.name + ' ' + TypeName(family.type) + '\n';
    for (const MetricSample& sample : family.samples) AppendSample(family.name, sample, &out);
  }
  return out;
}

}  // namespace zerotrace::telemetry
