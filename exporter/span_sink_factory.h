// Chooses where spans go: the console waterfall (default), JSON lines, or an
// OTLP/HTTP endpoint behind a batch span processor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exporter/console/console_sink.h"
#include "exporter/exporter_stats.h"
#include "exporter/otlp/batch_options.h"
#include "exporter/otlp/http_header.h"
#include "exporter/span_sink.h"

namespace zerotrace {

using otlp::BatchOptions;

struct OutputConfig {
  enum Kind { kConsole, kJson, kOtlp };
  Kind kind = kConsole;

  // kJson: file to append to; empty means stdout.
  std::string json_path;

  // kOtlp: full traces URL (see OtlpTracesUrlFromEnvironment), extra request
  // headers (e.g. an API key; see otlp::HeadersFromEnvironment) and batching.
  std::string otlp_traces_url;
  std::vector<otlp::HttpHeader> otlp_headers;
  BatchOptions batch;

  // kConsole: layout and timing. MakeSpanSink turns colour and block
  // characters on when stdout is a terminal (and NO_COLOR is unset).
  console::ConsoleOptions console;

  // Counters of the sink, shared so the agent can read them from any thread
  // (e.g. to print them on exit). MakeSpanSink creates one if null; keep a
  // copy of the pointer to read it.
  std::shared_ptr<ExporterStats> stats;
};

// Throws std::invalid_argument (kOtlp without a URL) or std::runtime_error
// (JSON file cannot be opened); the message is one line for the user.
std::unique_ptr<SpanSink> MakeSpanSink(const OutputConfig& config);

// The OTLP traces URL from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as-is) or
// OTEL_EXPORTER_OTLP_ENDPOINT (+ "/v1/traces"); empty when neither is set.
std::string OtlpTracesUrlFromEnvironment();

}  // namespace zerotrace
